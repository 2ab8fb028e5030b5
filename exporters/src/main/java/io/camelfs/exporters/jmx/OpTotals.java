package io.camelfs.exporters.jmx;

import io.camelfs.stats.OpSnapshot;
import io.camelfs.stats.OpStats;
import java.util.Map;
import java.util.TreeMap;

/** Sums of an {@link OpStats} as JMX attributes want them. */
record OpTotals(long operations, long errors, Map<String, Long> counts) {
    static OpTotals of(OpStats stats) {
        long n = 0;
        long e = 0;
        Map<String, Long> counts = new TreeMap<>();
        for (OpSnapshot s : stats.snapshot()) {
            n += s.count();
            e += s.failed();
            counts.put(s.op(), s.count());
        }
        return new OpTotals(n, e, counts);
    }
}
