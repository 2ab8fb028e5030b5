import io.camelfs.afr.Replicate;
import io.camelfs.client.VolumeClient;
import io.camelfs.heal.HealInfo;
import io.camelfs.heal.HealProgress;
import io.camelfs.heal.HealReport;
import io.camelfs.heal.Healer;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.VolumeSpec;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Heal benchmark (issue 4), run by bench/heal.sh: a replica-2 volume whose bricks run in two node processes;
 * brick 2's node is killed (SIGKILL) while files are written, started again, and the heal is timed until both
 * bricks are identical (checked with rsync --checksum, outside the timing). Prints each figure with its target and,
 * for the large file, a local-disk copy of the same file in the same run.
 */
public final class HealBench {
    static Path work;
    static String lib;
    static int p1;
    static int p2;
    static Process node2;
    /** bin/camelfs: nodes and CLI commands start exactly as a user starts them. */
    static String camelfs;

    public static void main(String[] args) throws Exception {
        work = Path.of(args[0]);
        lib = args[1];
        camelfs = Path.of(lib).resolve("../../../bin/camelfs").normalize().toString();
        int small = Integer.parseInt(args[2]);
        int bigMiB = Integer.parseInt(args[3]);
        int infoEntries = Integer.parseInt(args[4]);
        p1 = Integer.parseInt(args[5]);
        p2 = Integer.parseInt(args[6]);
        VolumeSpec spec = VolumeSpec.of("bench", 2, List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2), 0,
                Map.of("brick-timeout", "5s"));
        Process node1 = start(1);
        node2 = start(2);
        try (Replicate c = VolumeClient.open(spec, "heal bench"); Healer h = new Healer(c.replicas(), "bench")) {
            awaitUp(c, 2);
            System.out.printf("camelfs heal benchmark: replica 2 over loopback, fresh ext4, %d cores%n",
                    Runtime.getRuntime().availableProcessors());

            // 1. small files
            down(c);
            byte[] four = new byte[4096];
            Random r = new Random(1);
            c.mkdir("small", 0755);
            for (int i = 0; i < small; i++) {
                r.nextBytes(four);
                c.put("small/f" + i, 0644, ByteBuffer.wrap(four));
            }
            HealReport s = healAfterRestart(c, h);
            verify();
            double smallSecs = s.millis() / 1000.0;
            System.out.printf("small files: %d x 4 KiB healed in %.2f s (%.0f files/s)   target <= 1.5 s;"
                    + " GlusterFS 10.3 here: ~32 s%n", small, smallSecs, small / smallSecs);
            System.out.printf("{\"bench\":\"heal-small\",\"files\":%d,\"seconds\":%.3f,\"healed\":%d,\"failed\":%d}%n",
                    small, smallSecs, s.healed(), s.failed());

            // 2. a large file created while the brick was down
            Path local = work.resolve("bricks/local");
            Files.createDirectories(local);
            byte[] chunk = new byte[4 << 20];
            down(c);
            c.create("big", 0644, true);
            for (int i = 0; i < bigMiB / 4; i++) {
                r.nextBytes(chunk);
                c.write("big", (long) i * chunk.length, ByteBuffer.wrap(chunk));
            }
            HealReport b = healAfterRestart(c, h);
            verify();
            double mbps = bigMiB / (b.millis() / 1000.0);
            double localMbps = localCopy(work.resolve("bricks/brick1/big"), local.resolve("big"), bigMiB);
            System.out.printf("large file: %d MiB healed in %.2f s = %.0f MiB/s; local disk copy (dd, fsync) in the"
                    + " same run: %.0f MiB/s; ratio %.0f%%   target >= 50%%%n", bigMiB, b.millis() / 1000.0, mbps,
                    localMbps, 100 * mbps / localMbps);
            System.out.printf("{\"bench\":\"heal-large\",\"mib\":%d,\"seconds\":%.3f,\"mibps\":%.1f,"
                    + "\"local_mibps\":%.1f,\"ratio\":%.3f,\"bytes_sent\":%d}%n", bigMiB, b.millis() / 1000.0, mbps,
                    localMbps, mbps / localMbps, b.bytes());

            // 3. one changed 4 KiB block in the large file
            down(c);
            r.nextBytes(four);
            c.write("big", (long) (bigMiB / 3) << 20, ByteBuffer.wrap(four));
            HealReport one = healAfterRestart(c, h);
            verify();
            System.out.printf("one changed 4 KiB block in %d MiB: healed in %.2f s sending %d KiB   target <= 1024"
                    + " KiB%n", bigMiB, one.millis() / 1000.0, one.bytes() / 1024);
            System.out.printf("{\"bench\":\"heal-one-block\",\"mib\":%d,\"seconds\":%.3f,\"bytes_sent\":%d}%n",
                    bigMiB, one.millis() / 1000.0, one.bytes());

            // 4. heal info with many pending entries
            down(c);
            c.mkdir("many", 0755);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int from = t;
                fs.add(pool.submit(() -> {
                    for (int i = from; i < infoEntries; i += 8) {
                        c.create("many/e" + i, 0644, true);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            long t0 = System.nanoTime();
            HealInfo info = h.info();
            long inProcess = (System.nanoTime() - t0) / 1_000_000;
            long cli = cliMillis("heal", "127.0.0.1:" + p1 + ":/bench", "info");
            long cli2 = cliMillis("heal", "127.0.0.1:" + p1 + ":/bench", "info");
            System.out.printf("heal info: %d pending entries listed in %d ms in-process; `camelfs heal ... info`"
                    + " %d ms / %d ms end to end (JVM start included)   target < 1000 ms%n", info.total(), inProcess,
                    cli, cli2);
            System.out.printf("{\"bench\":\"heal-info\",\"entries\":%d,\"in_process_ms\":%d,\"cli_ms\":%d}%n",
                    info.total(), inProcess, Math.min(cli, cli2));
        } finally {
            node2.destroyForcibly();
            node1.destroyForcibly();
        }
    }

    static Process start(int n) throws Exception {
        Path log = work.resolve("node" + n + ".log");
        long before = Files.exists(log) ? Files.size(log) : 0;
        Process p = new ProcessBuilder(camelfs, "run", work.resolve("node" + n + ".yaml").toString())
                .directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        for (int i = 0; i < 600; i++) {
            String s = Files.exists(log) ? Files.readString(log) : "";
            if (s.length() > before && s.substring((int) before).contains("camelfs node started")) {
                return p;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("node " + n + " did not start: " + Files.readString(log));
    }

    static void awaitUp(Replicate c, int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        while (c.upBricks().size() != n) {
            if (System.currentTimeMillis() > end) {
                throw new IllegalStateException("bricks up: " + c.upBricks());
            }
            Thread.sleep(10);
        }
    }

    static void down(Replicate c) throws Exception {
        node2.destroyForcibly();
        node2.waitFor(10, TimeUnit.SECONDS);
        awaitUp(c, 1);
    }

    /** Starts brick 2 again and times an index heal from the moment this client sees it up. */
    static HealReport healAfterRestart(Replicate c, Healer h) throws Exception {
        node2 = start(2);
        awaitUp(c, 2);
        return h.index(HealProgress.NONE);
    }

    /** rsync --checksum in dry-run: prints every file whose content, mode, owner or mtime differs. */
    static void verify() throws Exception {
        Process p = new ProcessBuilder("rsync", "-ani", "--checksum", "--exclude=/.camelfs",
                work.resolve("bricks/brick1") + "/", work.resolve("bricks/brick2") + "/").redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        if (!out.isEmpty()) {
            throw new IllegalStateException("bricks differ after heal:\n" + out);
        }
    }

    /** A durable local copy of the same size on the same filesystem (dd with fsync), in MiB/s. */
    static double localCopy(Path from, Path to, int mib) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("dd", "if=" + from, "of=" + to, "bs=4M", "conv=fsync", "status=none")
                .inheritIO().start();
        p.waitFor();
        return mib / ((System.nanoTime() - t0) / 1e9);
    }

    static long cliMillis(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(camelfs));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("camelfs " + String.join(" ", args) + " failed");
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
