import io.camelfs.stats.OpStats;

/**
 * What recording one operation costs (bench/metrics.sh puts it next to the producer benchmark): OpStats.record
 * plus the two clock reads of the metrics layer, single-threaded and with two threads on shared names.
 *
 *   java -cp 'dist/target/lib/*' bench/OpStatsBench.java
 */
public class OpStatsBench {
    static final String[] OPS = {"create", "lookup", "write", "read", "unlink", "mkdir", "rename", "setattr"};

    static double nsPerRecord(OpStats s, long n) {
        long t = System.nanoTime();
        for (long i = 0; i < n; i++) {
            long start = System.nanoTime();
            s.record(OPS[(int) (i & 7)], System.nanoTime() - start, false);
        }
        return (System.nanoTime() - t) / (double) n;
    }

    public static void main(String[] args) throws Exception {
        OpStats s = new OpStats();
        nsPerRecord(s, 20_000_000); // warm-up
        double one = nsPerRecord(s, 20_000_000);
        double[] two = new double[2];
        Thread[] ts = new Thread[2];
        for (int k = 0; k < 2; k++) {
            int kk = k;
            ts[k] = new Thread(() -> two[kk] = nsPerRecord(s, 20_000_000));
            ts[k].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        System.out.printf(java.util.Locale.ROOT, "recording one operation (two clock reads + OpStats.record): %.0f ns"
                + " on one thread, %.0f ns with two threads on the same names%n", one, (two[0] + two[1]) / 2);
        System.out.printf(java.util.Locale.ROOT, "{\"record_ns\":%.0f,\"record_ns_2_threads\":%.0f}%n", one,
                (two[0] + two[1]) / 2);
    }
}
