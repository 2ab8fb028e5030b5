package io.camelfs.exporters.nagios;

/** Monitoring Plugins return codes. */
public enum Status {
    OK(0), WARNING(1), CRITICAL(2), UNKNOWN(3);

    public final int code;

    Status(int code) {
        this.code = code;
    }

    public Status worst(Status other) {
        // UNKNOWN ranks below CRITICAL: a known problem says more than not knowing
        return rank() >= other.rank() ? this : other;
    }

    private int rank() {
        return switch (this) {
            case OK -> 0;
            case WARNING -> 1;
            case UNKNOWN -> 2;
            case CRITICAL -> 3;
        };
    }
}
