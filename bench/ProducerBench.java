// Producer benchmark: 4 KiB files written through the gluster: producer to a running volume, next to the same
// writes into two plain local directories in the same run. Run by bench/producer.sh (java source launcher).
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;

public class ProducerBench {
    interface Write {
        void write(int thread, int i) throws Exception;
    }

    record Result(double perSecond, double p50Micros, double p99Micros) {
    }

    /** Latencies of one batch and its wall time. */
    record Batch(long[] latencies, long nanos) {
    }

    static Batch batch(int from, int count, int threads, Write w) throws Exception {
        long[] lat = new long[count];
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(threads);
        Exception[] failure = new Exception[1];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            new Thread(() -> {
                try {
                    for (int i; (i = next.getAndIncrement()) < count;) {
                        long s = System.nanoTime();
                        w.write(thread, from + i);
                        lat[i] = System.nanoTime() - s;
                    }
                } catch (Exception e) {
                    failure[0] = e;
                } finally {
                    done.countDown();
                }
            }).start();
        }
        done.await();
        if (failure[0] != null) {
            throw failure[0];
        }
        return new Batch(lat, System.nanoTime() - t0);
    }

    static Result summarize(List<Batch> batches) {
        long nanos = 0;
        int n = 0;
        for (Batch b : batches) {
            nanos += b.nanos;
            n += b.latencies.length;
        }
        long[] all = new long[n];
        int k = 0;
        for (Batch b : batches) {
            System.arraycopy(b.latencies, 0, all, k, b.latencies.length);
            k += b.latencies.length;
        }
        Arrays.sort(all);
        return new Result(n / (nanos / 1e9), all[n / 2] / 1e3, all[(int) (n * 0.99)] / 1e3);
    }

    /** Flushes dirty pages so a batch does not pay for the writeback of the one before. */
    static void sync() throws Exception {
        new ProcessBuilder("sync").inheritIO().start().waitFor();
    }

    public static void main(String[] args) throws Exception {
        String server = args[0];
        String volume = args[1];
        Path local = Path.of(args[2]);
        int files = Integer.parseInt(args[3]);
        int[] threadCounts = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
        byte[] payload = new byte[4096];
        new Random(1).nextBytes(payload);
        String uri = "gluster:" + volume + "?servers=" + server + "&operation=write";
        try (DefaultCamelContext ctx = new DefaultCamelContext()) {
            ctx.start();
            ProducerTemplate tpl = ctx.createProducerTemplate();
            // resolved once, as a route's to: step is; the URI is not re-parsed per message
            org.apache.camel.Endpoint endpoint = ctx.getEndpoint(uri);
            // warm-up: JIT, connections, directories
            for (int i = 0; i < 3000; i++) {
                tpl.sendBodyAndHeader(uri, payload, Exchange.FILE_NAME, "warmup/d" + (i % 50) + "/f" + i);
            }
            for (int d = 0; d < 100; d++) {
                Files.createDirectories(local.resolve("a/d" + d));
                Files.createDirectories(local.resolve("b/d" + d));
            }
            List<String> rows = new ArrayList<>();
            System.out.printf(Locale.ROOT, "%-8s %-34s %12s %10s %10s%n", "threads", "target", "files/s", "p50 us",
                    "p99 us");
            for (int threads : threadCounts) {
                String run = "t" + threads;
                for (int d = 0; d < 100; d++) {
                    tpl.sendBodyAndHeader(uri, payload, Exchange.FILE_NAME, run + "/d" + d + "/.keep");
                }
                Write toVolume = (t, i) -> {
                    Exchange x = tpl.send(endpoint, e -> {
                        e.getIn().setHeader(Exchange.FILE_NAME, run + "/d" + (i % 100) + "/f" + i);
                        e.getIn().setBody(payload);
                    });
                    if (x.getException() != null) {
                        throw x.getException();
                    }
                };
                Write toDisk = (t, i) -> {
                    String name = run + "-f" + i;
                    for (String side : new String[] {"a", "b"}) {
                        Files.write(local.resolve(side + "/d" + (i % 100) + "/" + name), payload,
                                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    }
                };
                // interleaved batches, each after a sync, so both targets see the same background writeback
                int batches = 10;
                int per = files / batches;
                List<Batch> volBatches = new ArrayList<>();
                List<Batch> diskBatches = new ArrayList<>();
                for (int b = 0; b < batches; b++) {
                    sync();
                    volBatches.add(batch(b * per, per, threads, toVolume));
                    sync();
                    diskBatches.add(batch(b * per, per, threads, toDisk));
                }
                Result vol = summarize(volBatches);
                Result disk = summarize(diskBatches);
                System.out.printf(Locale.ROOT, "%-8d %-34s %12.0f %10.0f %10.0f%n", threads,
                        "camelfs replica 2 (producer)", vol.perSecond, vol.p50Micros, vol.p99Micros);
                System.out.printf(Locale.ROOT, "%-8d %-34s %12.0f %10.0f %10.0f%n", threads,
                        "two local directories", disk.perSecond, disk.p50Micros, disk.p99Micros);
                System.out.printf(Locale.ROOT, "%-8d %-34s %11.0f%%%n", threads, "ratio camelfs / local",
                        100 * vol.perSecond / disk.perSecond);
                rows.add(String.format(Locale.ROOT, "{\"threads\":%d,\"camelfs_files_per_s\":%.0f,"
                        + "\"local_files_per_s\":%.0f,\"ratio_pct\":%.1f,\"p50_us\":%.0f,\"p99_us\":%.0f}",
                        threads, vol.perSecond, disk.perSecond, 100 * vol.perSecond / disk.perSecond,
                        vol.p50Micros, vol.p99Micros));
            }
            rows.forEach(System.out::println);
        }
    }
}
