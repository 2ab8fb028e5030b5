package io.camelfs.fop;

/** A write was refused or failed because too few bricks of the volume could take it. */
public class QuorumException extends FopException {
    private static final long serialVersionUID = 1L;

    public QuorumException(int errno, String message) {
        super(errno, message);
    }
}
