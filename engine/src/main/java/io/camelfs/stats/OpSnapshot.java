package io.camelfs.stats;

/**
 * One operation's figures at one moment. {@code cumulativeBuckets} has one count per bound of
 * {@link OpStats#bounds()} plus a last one for +Inf (which equals {@code count}), each counting the samples at or
 * below its bound, as Prometheus histograms do.
 */
public record OpSnapshot(String op, long count, long failed, long nanos, long worstNanos, long[] cumulativeBuckets) {
    public OpSnapshot {
        cumulativeBuckets = cumulativeBuckets.clone();
    }

    @Override
    public long[] cumulativeBuckets() {
        return cumulativeBuckets.clone();
    }

    public double seconds() {
        return nanos / 1e9;
    }
}
