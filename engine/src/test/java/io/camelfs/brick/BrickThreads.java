package io.camelfs.brick;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * A brick's connection threads, seen through the JVM's thread bean: how many there are and how many bytes they
 * have allocated. A request that makes the brick allocate far more than the request's size shows up here even when
 * the memory is garbage a moment later.
 */
final class BrickThreads {
    private final String prefix;
    private final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Thread ids are never reused, so each one's name is looked up once. */
    private final Map<Long, Boolean> isConnection = new HashMap<>();

    BrickThreads(int port) {
        this.prefix = "brick-" + port + "-conn-";
    }

    long[] ids() {
        long[] all = mx.getAllThreadIds();
        long[] out = new long[all.length];
        int n = 0;
        for (long id : all) {
            Boolean ours = isConnection.get(id);
            if (ours == null) {
                ThreadInfo t = mx.getThreadInfo(id);
                if (t == null) {
                    continue; // already gone
                }
                ours = t.getThreadName().startsWith(prefix);
                isConnection.put(id, ours);
            }
            if (ours) {
                out[n++] = id;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    int count() {
        return ids().length;
    }

    /** Bytes allocated so far by the connection threads alive now. */
    long allocated() {
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(ids())) {
            sum += Math.max(0, b);
        }
        return sum;
    }

    /** The newest connection thread (the brick numbers them as it accepts), or -1. */
    long newest() {
        long best = -1;
        int bestNumber = -1;
        for (long id : ids()) {
            ThreadInfo t = mx.getThreadInfo(id);
            if (t != null) {
                int n = Integer.parseInt(t.getThreadName().substring(prefix.length()));
                if (n > bestNumber) {
                    bestNumber = n;
                    best = id;
                }
            }
        }
        return best;
    }

    long allocatedBy(long id) {
        return mx.getThreadAllocatedBytes(id);
    }
}
