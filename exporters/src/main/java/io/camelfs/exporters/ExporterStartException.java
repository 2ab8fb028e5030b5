package io.camelfs.exporters;

/** An exporter that cannot start (a port taken, a policy file missing): the node refuses to start with this line. */
public final class ExporterStartException extends RuntimeException {
    public ExporterStartException(String message) {
        super(message);
    }

    public ExporterStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
