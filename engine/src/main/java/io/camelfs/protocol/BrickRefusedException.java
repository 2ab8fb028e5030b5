package io.camelfs.protocol;

/** A brick answered with an error frame: wrong volume, protocol version, malformed request, overload. */
public class BrickRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    public BrickRefusedException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** One of the Frame error codes. */
    public int code() {
        return code;
    }
}
