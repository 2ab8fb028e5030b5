package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A brick dies (kill -9) or hangs (SIGSTOP) in the middle of a cp -r or tar x onto a mount: the copy finishes with
 * correct content, the mount stalls no longer than the brick timeout, and the survivors record what the dead brick
 * missed.
 */
class MountFailoverIT {
    @TempDir
    Path work;

    /** Writes a small file every 20 ms and records the longest time one took: the mount's stall. */
    private static final class StallProbe implements AutoCloseable {
        final AtomicLong worstMillis = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        StallProbe(Path dir) {
            thread = new Thread(() -> {
                int i = 0;
                while (running.get()) {
                    long t0 = System.nanoTime();
                    try {
                        Files.writeString(dir.resolve("probe-" + (i++ % 20)), "tick " + i);
                    } catch (Exception e) {
                        throw new AssertionError("a write failed during failover", e);
                    }
                    worstMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    private Path sourceTree() throws Exception {
        Path src = Files.createDirectories(work.resolve("src"));
        // about 1,500 files in nested directories, 40 MB in all: long enough to kill a brick in the middle
        Sh.run(work, Duration.ofSeconds(120), "set -e; cd " + src + "; for d in $(seq 1 30); do mkdir -p"
                + " dir$d/sub; for f in $(seq 1 50); do head -c $(( (f * 997) % 60000 + 1 )) /dev/urandom >"
                + " dir$d/sub/f$f.bin; done; done").ok();
        return src;
    }

    @Test
    void killNineDuringCpAndTarX() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 3, "");
        Path src = sourceTree();
        Sh.run(work, Duration.ofSeconds(60), "cd " + src + " && tar cf " + work + "/src.tar .").ok();
        String address = "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web";
        try (NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
                NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1));
                NodeProcess n3 = NodeProcess.start("node3", work, yaml.get(2));
                Mounted m = Mounted.mount(work, address, work.resolve("mnt"), "")) {
            Path probeDir = Files.createDirectories(m.dir.resolve("probe"));
            StallProbe stall = new StallProbe(probeDir);
            Process cp = new ProcessBuilder("cp", "-r", src.toString(), m.dir.resolve("cp").toString())
                    .inheritIO().start();
            Thread.sleep(1500);
            assertTrue(cp.isAlive(), "the copy must still be running when the brick dies");
            n3.kill9();
            assertEquals(0, cp.waitFor(), "cp -r finishes despite the dead brick");
            stall.close();
            Sh.run(work, Duration.ofSeconds(120), "diff -r " + src + " " + m.dir + "/cp").ok();
            System.out.println("kill -9 during cp -r: longest write stall " + stall.worstMillis.get() + " ms");
            assertTrue(stall.worstMillis.get() <= 5_000, "stalled " + stall.worstMillis.get() + " ms");
            // the survivors hold everything and blame brick 3 (index 2) for what it missed
            assertEquals(BrickTree.of(work.resolve("data/brick1")), BrickTree.of(work.resolve("data/brick2")));
            var blamed = BrickTree.blaming(work.resolve("data/brick1"), "web", 2);
            assertFalse(blamed.isEmpty(), "files written after the kill are pending for brick 3");
            for (String p : blamed) {
                assertTrue(p.startsWith("cp") || p.startsWith("probe") || p.equals("/"), p);
            }

            // tar x while another brick (of the two left... first bring the third back) dies
            try (NodeProcess n3b = NodeProcess.start("node3-back", work, yaml.get(2))) {
                long until = System.currentTimeMillis() + 30_000;
                while (NodeProcess.cli(work, Duration.ofSeconds(30), "volume", "status", address).exit() != 0) {
                    assertTrue(System.currentTimeMillis() < until, "all three bricks up again within 30 s");
                    Thread.sleep(300);
                }
                StallProbe stall2 = new StallProbe(probeDir);
                Process tar = new ProcessBuilder("tar", "xf", work.resolve("src.tar").toString(), "-C",
                        Files.createDirectories(m.dir.resolve("tarx")).toString()).inheritIO().start();
                Thread.sleep(1500);
                assertTrue(tar.isAlive(), "tar must still be running when the brick dies");
                n2.kill9();
                assertEquals(0, tar.waitFor(), "tar x finishes despite the dead brick");
                stall2.close();
                Sh.run(work, Duration.ofSeconds(120), "diff -r " + src + " " + m.dir + "/tarx").ok();
                System.out.println("kill -9 during tar x: longest write stall " + stall2.worstMillis.get() + " ms");
                assertTrue(stall2.worstMillis.get() <= 5_000, "stalled " + stall2.worstMillis.get() + " ms");
                assertTrue(BrickTree.blaming(work.resolve("data/brick1"), "web", 1).stream()
                        .anyMatch(p -> p.startsWith("tarx")), "brick 2 is blamed for the rest of the tar");
            }
        }
    }

    @Test
    void aHungBrickStallsTheMountNoLongerThanTheBrickTimeout() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 3, "          brick-timeout: 3s\n");
        Path src = sourceTree();
        String address = "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web";
        try (NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
                NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1));
                NodeProcess n3 = NodeProcess.start("node3", work, yaml.get(2));
                Mounted m = Mounted.mount(work, address, work.resolve("mnt"), "")) {
            StallProbe stall = new StallProbe(Files.createDirectories(m.dir.resolve("probe")));
            Process cp = new ProcessBuilder("cp", "-r", src.toString(), m.dir.resolve("cp").toString())
                    .inheritIO().start();
            Thread.sleep(1500);
            n3.signal("STOP");
            try {
                assertEquals(0, cp.waitFor(), "cp -r finishes despite the hung brick");
                stall.close();
            } finally {
                n3.signal("CONT");
            }
            Sh.run(work, Duration.ofSeconds(120), "diff -r " + src + " " + m.dir + "/cp").ok();
            System.out.println("SIGSTOP during cp -r (brick timeout 3 s): longest write stall "
                    + stall.worstMillis.get() + " ms");
            assertTrue(stall.worstMillis.get() <= 3_000 + 1_500, "stalled " + stall.worstMillis.get() + " ms");
        }
    }
}
