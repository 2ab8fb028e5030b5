package io.camelfs.protocol;

/** A brick could not be reached, hung up, or did not answer within the deadline. */
public class BrickUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean timeout;

    public BrickUnavailableException(String message, boolean timeout, Throwable cause) {
        super(message, cause);
        this.timeout = timeout;
    }

    /** True when the brick did not answer in time (as opposed to refusing or dropping the connection). */
    public boolean isTimeout() {
        return timeout;
    }
}
