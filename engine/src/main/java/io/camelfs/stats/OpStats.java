package io.camelfs.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Count, failures and a latency histogram of each named operation -- what GlusterFS's {@code volume profile} shows,
 * but always on: recording is a few uncontended adds, so nothing needs switching on before a problem can be seen.
 */
public final class OpStats {
    /** Upper bounds of the latency buckets, in seconds: from a cached lookup to a brick timeout. */
    private static final double[] BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5, 5, 10};
    private static final long[] BOUND_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUND_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
        }
    }

    /**
     * -Dcamelfs.stats=off turns recording off in this JVM: only for measuring what recording costs (the metrics
     * benchmark runs the producer benchmark both ways).
     */
    public static final boolean ENABLED = !"off".equals(System.getProperty("camelfs.stats"));

    private final ConcurrentHashMap<String, Op> ops = new ConcurrentHashMap<>();

    private static final class Op {
        final LongAdder failed = new LongAdder();
        final LongAdder nanos = new LongAdder();
        /** One per bound plus +Inf, not cumulative: a sample lands in exactly one. */
        final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
        final AtomicLong worst = new AtomicLong();

        Op() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    /** Upper bounds of the buckets in seconds, without +Inf. */
    public static double[] bounds() {
        return BOUNDS.clone();
    }

    public void record(String op, long nanos, boolean failedOp) {
        if (!ENABLED) {
            return;
        }
        Op o = ops.computeIfAbsent(op, k -> new Op());
        int b = 0;
        while (b < BOUND_NANOS.length && nanos > BOUND_NANOS[b]) {
            b++;
        }
        o.buckets[b].increment();
        o.nanos.add(nanos);
        if (failedOp) {
            o.failed.increment();
        }
        if (nanos > o.worst.get()) {
            o.worst.accumulateAndGet(nanos, Math::max);
        }
    }

    /** Every operation seen so far, sorted by name. */
    public List<OpSnapshot> snapshot() {
        List<OpSnapshot> out = new ArrayList<>(ops.size());
        ops.forEach((name, o) -> {
            long[] cumulative = new long[o.buckets.length];
            long sum = 0;
            for (int i = 0; i < o.buckets.length; i++) {
                sum += o.buckets[i].sum();
                cumulative[i] = sum;
            }
            out.add(new OpSnapshot(name, sum, o.failed.sum(), o.nanos.sum(), o.worst.get(), cumulative));
        });
        out.sort(Comparator.comparing(OpSnapshot::op));
        return out;
    }

    /** The count of one operation (0 when never seen). */
    public long count(String op) {
        Op o = ops.get(op);
        if (o == null) {
            return 0;
        }
        long n = 0;
        for (LongAdder b : o.buckets) {
            n += b.sum();
        }
        return n;
    }

    /** One line per operation, for logs: calls, average and worst time. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (OpSnapshot s : snapshot()) {
            sb.append(String.format("%-14s %9d calls %9.1f us avg %9.1f ms max%n", s.op(), s.count(),
                    s.count() == 0 ? 0 : s.nanos() / 1e3 / s.count(), s.worstNanos() / 1e6));
        }
        return sb.toString();
    }
}
