package io.camelfs.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Count, total and worst time of each named operation: what a brick served or a mount's FUSE callbacks cost, for
 * profiling (logged when the brick stops or the mount goes away).
 */
public final class OpTimes {
    private final ConcurrentHashMap<String, LongAdder[]> ops = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicLong> worst = new ConcurrentHashMap<>();

    public void record(String op, long nanos) {
        LongAdder[] a = ops.computeIfAbsent(op, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        a[0].increment();
        a[1].add(nanos);
        worst.computeIfAbsent(op, k -> new java.util.concurrent.atomic.AtomicLong()).accumulateAndGet(nanos, Math::max);
    }

    /** op -> {count, total nanoseconds}. */
    public Map<String, long[]> snapshot() {
        Map<String, long[]> out = new TreeMap<>();
        ops.forEach((k, v) -> out.put(k, new long[] {v[0].sum(), v[1].sum()}));
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        snapshot().forEach((k, v) -> sb.append(String.format("%-14s %9d calls %9.1f us avg %9.1f ms max%n", k, v[0],
                v[0] == 0 ? 0 : v[1] / 1e3 / v[0], worst.get(k).get() / 1e6)));
        return sb.toString();
    }
}
