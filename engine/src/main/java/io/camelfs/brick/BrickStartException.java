package io.camelfs.brick;

/** A brick cannot start; the message is the one-line reason shown to the operator. */
public class BrickStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrickStartException(String message) {
        super(message);
    }

    public BrickStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
