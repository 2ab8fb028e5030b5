package io.camelfs.fop;

/**
 * A file operation failed with an errno. The errno is exactly what the brick's filesystem (or the replicate layer,
 * for quorum and split-brain) decided, so a mount can hand it to the kernel unchanged.
 */
public class FopException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    /**
     * No stack trace: an errno is an answer (ENOENT for every name a create looks up first), not a bug, and filling
     * a stack trace costs more than the rest of a lookup's work in the client.
     */
    public FopException(int errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public FopException(int errno, String message, Throwable cause) {
        super(message, cause, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** "path: No such file or directory" style message, as a shell tool would print it. */
    public static FopException of(int errno, String path) {
        return new FopException(errno, (path == null || path.isEmpty() ? "/" : path) + ": " + Errno.describe(errno));
    }
}
