package io.camelfs.afr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.testing.BrickInspector;
import io.camelfs.testing.LocalVolume;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two clients racing on the same file or the same name leave every brick identical. */
class ContentionTest {
    @TempDir
    Path tmp;

    @Test
    void overlappingWritesFromTwoClientsLeaveIdenticalBricks() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 3); Replicate a = v.client(); Replicate b = v.client()) {
            a.put("shared.bin", 0644, ByteBuffer.allocate(64 * 1024));
            ExecutorService pool = Executors.newFixedThreadPool(16);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                Replicate c = t % 2 == 0 ? a : b;
                int seed = t;
                done.add(pool.submit(() -> {
                    go.await();
                    Random r = new Random(seed);
                    for (int i = 0; i < 300; i++) {
                        byte[] chunk = new byte[1 + r.nextInt(4096)];
                        r.nextBytes(chunk);
                        // every write overlaps others: offsets cluster in the first 4 KiB
                        c.write("shared.bin", r.nextInt(4096), ByteBuffer.wrap(chunk));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertTrue(a.stats().contentions() + b.stats().contentions() > 0,
                    "the two clients really contended for the lease");
            byte[] first = Files.readAllBytes(v.file(0, "shared.bin"));
            for (int i = 1; i < 3; i++) {
                assertArrayEquals(first, Files.readAllBytes(v.file(i, "shared.bin")), "brick " + i + " diverged");
            }
        }
    }

    /**
     * The hard case, made deterministic: another client holds the lease on the middle brick only (as after a brick
     * restart). A write is applied speculatively on bricks 0 and 2, refused on 1; the writer must release brick 2,
     * take the leases in brick order (recalling the holder) and replay, ending with all bricks equal.
     */
    @Test
    void partialLeaseGrantIsResolvedInBrickOrder() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 3); Replicate a = v.client(); Replicate b = v.client()) {
            a.put("f", 0644, ByteBuffer.wrap("0123456789".getBytes()));
            String key = "i:" + a.lookup("f").gfid().hex();
            var granted = b.replicaSet().brick(1).acquire(List.of(key), true, java.time.Duration.ofSeconds(5))
                    .get();
            assertEquals(List.of(key), granted.getGrantedList(), "b holds the lease on brick 1 only");
            long before = a.stats().contentions();
            a.write("f", 2, ByteBuffer.wrap("AB".getBytes()));
            assertEquals(before + 1, a.stats().contentions(), "the refusal on brick 1 was resolved once");
            for (int i = 0; i < 3; i++) {
                assertEquals("01AB456789", Files.readString(v.file(i, "f")), "brick " + i);
            }
            // and b, recalled, can write again afterwards
            b.write("f", 0, ByteBuffer.wrap("ZZ".getBytes()));
            for (int i = 0; i < 3; i++) {
                assertEquals("ZZAB456789", Files.readString(v.file(i, "f")), "brick " + i);
            }
        }
    }

    /**
     * A write that bricks 0 and 2 applied while another client kept the lease on brick 1 through every attempt:
     * the writer gives up (EAGAIN, outcome open), but the bricks that applied it must say so with dirty marks, or
     * the copies stay different with nothing telling heal to look at them.
     */
    @Test
    void aWriteAbandonedAfterSomeBricksAppliedItLeavesDirtyMarks() throws Exception {
        java.util.Map<String, String> options = new java.util.HashMap<>();
        options.put("brick-timeout", "300ms");
        options.put("session-grace", "60s"); // brick 1 does not take the lease from its stubborn holder
        try (LocalVolume v = new LocalVolume(tmp, "test", 3, options); Replicate a = v.client();
                Replicate b = v.client(); io.camelfs.heal.Healer h = new io.camelfs.heal.Healer(b.replicas(), "t")) {
            a.put("f", 0644, ByteBuffer.wrap("0123456789".getBytes()));
            String key = "i:" + a.lookup("f").gfid().hex();
            FopException given;
            try (KeyLocks.Held busy = b.replicaSet().keyLocks.lock(List.of(key))) { // recalls wait for this
                var granted = b.replicaSet().brick(1).acquire(List.of(key), true, java.time.Duration.ofSeconds(5))
                        .get();
                assertEquals(List.of(key), granted.getGrantedList(), "b holds the lease on brick 1 only");
                given = org.junit.jupiter.api.Assertions.assertThrows(FopException.class,
                        () -> a.write("f", 2, ByteBuffer.wrap("AB".getBytes())));
            }
            assertEquals(Errno.EAGAIN, given.errno(), given.getMessage());
            assertEquals("0123456789", Files.readString(v.file(1, "f")), "brick 1 never applied it");
            int marked = 0;
            for (int i : new int[] {0, 2}) {
                if (Files.readString(v.file(i, "f")).equals("01AB456789")) {
                    assertEquals(1, BrickInspector.index(v.dirs.get(i), "dirty").size(), "dirty mark on brick " + i);
                    marked++;
                }
            }
            assertTrue(marked > 0, "some brick applied the abandoned write");
            var report = h.index(io.camelfs.heal.HealProgress.NONE);
            assertEquals(0, report.failed(), report.toString());
            byte[] first = Files.readAllBytes(v.file(0, "f"));
            for (int i = 1; i < 3; i++) {
                assertArrayEquals(first, Files.readAllBytes(v.file(i, "f")), "brick " + i + " diverged");
            }
        }
    }

    @Test
    void sameNameCreatedAtOnceByTwoClients() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 3); Replicate a = v.client(); Replicate b = v.client()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicInteger won = new AtomicInteger();
            AtomicInteger lost = new AtomicInteger();
            int names = 60;
            for (int n = 0; n < names; n++) {
                String name = "race-" + n;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> fs = new ArrayList<>();
                for (Replicate c : new Replicate[] {a, b}) {
                    fs.add(pool.submit(() -> {
                        go.await();
                        try {
                            if (name.hashCode() % 2 == 0) {
                                c.create(name, 0644, true);
                            } else {
                                c.mkdir(name, 0755);
                            }
                            won.incrementAndGet();
                        } catch (FopException e) {
                            assertEquals(Errno.EEXIST, e.errno(), e.getMessage());
                            lost.incrementAndGet();
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : fs) {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
            pool.shutdown();
            assertEquals(names, won.get(), "exactly one creator wins each name");
            assertEquals(names, lost.get(), "the other gets EEXIST");
            var tree = BrickInspector.tree(v.dirs.get(0));
            assertEquals(names, tree.size());
            for (int i = 1; i < 3; i++) {
                assertEquals(tree, BrickInspector.tree(v.dirs.get(i)), "brick " + i + " diverged");
            }
        }
    }

    @Test
    void putsOfTheSameNameConverge() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate a = v.client(); Replicate b = v.client()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Replicate c = t % 2 == 0 ? a : b;
                int id = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        c.put("page-" + (i % 5) + ".html", 0644, ByteBuffer.wrap(("writer " + id + " round " + i)
                                .repeat(1 + i % 7).getBytes()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(BrickInspector.tree(v.dirs.get(0)), BrickInspector.tree(v.dirs.get(1)));
            assertTrue(BrickInspector.tree(v.dirs.get(0)).size() == 5);
        }
    }
}
