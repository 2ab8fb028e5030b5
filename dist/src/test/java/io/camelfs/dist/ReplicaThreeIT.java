package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.QuorumException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replica 3 in three node processes, written through the gluster: producer; bricks die by SIGKILL. */
class ReplicaThreeIT {
    @TempDir
    Path work;

    private static byte[] random(Random r, int max) {
        byte[] b = new byte[1 + r.nextInt(max)];
        r.nextBytes(b);
        return b;
    }

    private void assertBricksIdentical(int... bricks) throws Exception {
        var first = BrickTree.of(work.resolve("data/brick" + bricks[0]));
        for (int i = 1; i < bricks.length; i++) {
            assertEquals(first, BrickTree.of(work.resolve("data/brick" + bricks[i])), "brick" + bricks[i]
                    + " differs from brick" + bricks[0]);
        }
    }

    @Test
    void writesReplicateAndSurviveKillNine() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 3, "");
        int port1 = NodeProcess.port(yaml.get(0));
        Random r = new Random(42);
        Map<String, byte[]> expected = new LinkedHashMap<>();
        try (NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
                NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1));
                NodeProcess n3 = NodeProcess.start("node3", work, yaml.get(2));
                VolumeWriter w = new VolumeWriter("web", port1)) {
            for (int i = 0; i < 30; i++) {
                String p = "site/d" + (i % 3) + "/f" + i + ".bin";
                byte[] b = random(r, 200_000);
                w.write(p, b);
                expected.put(p, b);
            }
            assertBricksIdentical(1, 2, 3);
            for (var e : expected.entrySet()) {
                assertArrayEquals(e.getValue(), Files.readAllBytes(work.resolve("data/brick2/" + e.getKey())));
            }

            n3.kill9();
            Set<String> touched = new TreeSet<>();
            for (int i = 0; i < 5; i++) {
                String p = "site/d0/new" + i + ".bin";
                byte[] b = random(r, 50_000);
                w.write(p, b);
                expected.put(p, b);
                touched.add(p);
            }
            for (String p : new String[] {"site/d1/f1.bin", "site/d2/f2.bin"}) {
                byte[] b = random(r, 50_000);
                w.write(p, b);
                expected.put(p, b);
                touched.add(p);
            }
            // the survivors blame brick 3 (index 2) for exactly the files touched, and the parent of new files
            Set<String> blamed = new TreeSet<>(touched);
            blamed.add("site/d0");
            for (int b : new int[] {1, 2}) {
                Path brick = work.resolve("data/brick" + b);
                assertEquals(blamed, BrickTree.blaming(brick, "web", 2), "brick" + b + " blames brick 3 for");
                int[] entry = BrickTree.pending(brick.resolve("site/d0"), "web", 2);
                assertTrue(entry[2] > 0, "entry pending on the parent of the new files");
                assertNull(BrickTree.pending(brick.resolve("site/d1/f4.bin"), "web", 2));
                assertEquals(BrickTree.of(work.resolve("data/brick1")), BrickTree.of(brick));
            }
            assertFalse(Files.exists(work.resolve("data/brick3/site/d0/new0.bin")), "brick 3 was dead");

            try (NodeProcess n3b = NodeProcess.start("node3-restarted", work, yaml.get(2))) {
                // any client, including fresh ones that read from brick 3 by preference, sees the good copies
                for (int c = 0; c < 3; c++) {
                    int port = NodeProcess.port(yaml.get(c));
                    try (VolumeWriter fresh = new VolumeWriter("web", port)) {
                        for (var e : expected.entrySet()) {
                            assertArrayEquals(e.getValue(), fresh.read(e.getKey()), e.getKey() + " via client " + c);
                        }
                    }
                }
                var cat = NodeProcess.cli(work, Duration.ofSeconds(30), "cat",
                        "127.0.0.1:" + NodeProcess.port(yaml.get(2)) + ":/web/site/d0/new3.bin");
                assertEquals(0, cat.exit(), cat.err());
                assertEquals(expected.get("site/d0/new3.bin").length, cat.out().getBytes(
                        java.nio.charset.StandardCharsets.ISO_8859_1).length);

                // below quorum: two bricks gone, writes fail with the documented error and change nothing
                n2.kill9();
                n3b.kill9();
                Exchange x = w.send("write", "site/refused.txt", "must not land".getBytes());
                assertNotNull(x.getException(), "a write below quorum must fail");
                FopException fe = assertInstanceOf(FopException.class, x.getException());
                assertInstanceOf(QuorumException.class, fe);
                assertTrue(fe.errno() == Errno.EROFS || fe.errno() == Errno.ENOTCONN, Errno.name(fe.errno()));
                assertTrue(fe.getMessage().contains("quorum"), fe.getMessage());
                assertFalse(Files.exists(work.resolve("data/brick1/site/refused.txt")));
            }
        }
    }

    @Test
    void concurrentWritersFromSeveralProcessesLeaveIdenticalBricks() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 3, "");
        int port1 = NodeProcess.port(yaml.get(0));
        try (NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
                NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1));
                NodeProcess n3 = NodeProcess.start("node3", work, yaml.get(2));
                VolumeWriter a = new VolumeWriter("web", port1);
                VolumeWriter b = new VolumeWriter("web", NodeProcess.port(yaml.get(1)))) {
            a.write("shared/index.html", "v0".getBytes());
            List<Path> sources = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Path src = work.resolve("src" + i + ".html");
                Files.writeString(src, ("<p>writer " + i + "</p>\n").repeat(1 + i * 500));
                sources.add(src);
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> jobs = new ArrayList<>();
            // four CLI processes copying onto the same names...
            for (int i = 0; i < 4; i++) {
                Path src = sources.get(i);
                jobs.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        var res = NodeProcess.cli(work, Duration.ofSeconds(60), "cp", src.toString(),
                                "127.0.0.1:" + port1 + ":/web/shared/index.html");
                        assertEquals(0, res.exit(), res.err());
                    }
                    return null;
                }));
            }
            // ...while two producers in this process hammer the same files
            for (VolumeWriter wr : new VolumeWriter[] {a, b}) {
                jobs.add(pool.submit(() -> {
                    Random r = new Random(wr.hashCode());
                    for (int i = 0; i < 60; i++) {
                        wr.write("shared/page" + (i % 4) + ".html", random(r, 20_000));
                        wr.write("shared/index.html", random(r, 5_000));
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get(180, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertBricksIdentical(1, 2, 3);
        }
    }
}
