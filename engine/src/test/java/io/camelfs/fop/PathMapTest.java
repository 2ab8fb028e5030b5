package io.camelfs.fop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class PathMapTest {
    private static PathMap<String> filled(List<String> paths) {
        PathMap<String> m = new PathMap<>(1000);
        paths.forEach(p -> m.put(p, p));
        return m;
    }

    @Test
    void removeTreeTakesTheDirectoryAndEverythingBeneathItOnly() {
        // neighbours that sort right around "a/b/": "a/b" itself, "a/b-c" ('-' < '/'), "a/b.x", "a/b0" ('0' > '/')
        PathMap<String> m = filled(List.of("a", "a/b", "a/b/c", "a/b/c/d", "a/b/\u00e9", "a/b-c", "a/b.x", "a/b0",
                "a/ba", "b", "a/c/b"));
        m.removeTree("a/b");
        for (String gone : List.of("a/b", "a/b/c", "a/b/c/d", "a/b/\u00e9")) {
            assertNull(m.get(gone), gone);
        }
        for (String kept : List.of("a", "a/b-c", "a/b.x", "a/b0", "a/ba", "b", "a/c/b")) {
            assertEquals(kept, m.get(kept), kept);
        }
        assertEquals(7, m.size());
    }

    @Test
    void theRootsTreeIsEverything() {
        PathMap<String> m = filled(List.of("", "a", "a/b"));
        m.removeTree("");
        assertEquals(0, m.size());
        assertNull(m.get("a/b"));
    }

    @Test
    void sizeCountsEntriesAndOneOverCapacityEmptiesTheMap() {
        PathMap<String> m = new PathMap<>(3);
        m.put("a", "1");
        m.put("a", "2"); // a replacement is not a new entry
        m.computeIfAbsent("b", k -> "3");
        assertEquals("3", m.computeIfAbsent("b", k -> "other"));
        m.put("c", "4");
        assertEquals(3, m.size());
        assertEquals(false, m.remove("c", "other"));
        assertEquals("4", m.remove("c"));
        assertEquals(2, m.size());
        m.put("c", "5");
        m.put("d", "6");
        assertEquals(0, m.size());
        assertNull(m.get("a"));
    }

    @Test
    void toldWhenEntriesWereUsedOneOverCapacityForgetsTheLessRecentlyUsedHalf() {
        // values are their own last-use stamps: "old0".."old5" used long ago, "new0".."new4" lately
        PathMap<Long> m = new PathMap<>(10, v -> v);
        long now = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            m.put("old" + i, now - 1_000_000_000L * (i + 1));
        }
        for (int i = 0; i < 5; i++) {
            m.put("new" + i, now - i);
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(now - i, m.get("new" + i), "new" + i + " stays");
        }
        for (int i = 0; i < 6; i++) {
            assertNull(m.get("old" + i), "old" + i + " goes");
        }
        assertEquals(5, m.size());
        m.removeTree("new0");
        assertEquals(4, m.size(), "the count still follows removals");
    }

    @Test
    void entriesGoneOneByOneLeaveNoIndexBehind() {
        // a cache of a busy directory's churn (temporary files made and removed) must not grow by what it forgot
        PathMap<String> m = filled(List.of("a/b/c/f1", "a/b/c/f2", "a/b", "a/x", "y"));
        m.remove("a/b/c/f1");
        m.remove("a/b"); // what lies beneath a/b stays reachable from a
        assertTrue(m.indexReachesEveryKey());
        m.removeTree("a");
        assertNull(m.get("a/b/c/f2"));
        assertNull(m.get("a/x"));
        m.remove("y");
        assertEquals(0, m.size());
        assertEquals(0, m.indexedDirectories(), "sets left in the index");
        m.put("a/b/c/f1", "again");
        m.removeTree("a");
        assertNull(m.get("a/b/c/f1"), "an entry put after the index emptied is reached again");
    }

    @Test
    void afterConcurrentPutsAndRemovalsEveryEntryIsStillReachedByRemoveTree() throws InterruptedException {
        // a key the index lost would survive removeTree: a cache would keep answering for a removed directory
        PathMap<Integer> m = new PathMap<>(1_000_000);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < 50_000; i++) {
                    String dir = path(r);
                    String path = dir + "/f" + r.nextInt(8);
                    int v = r.nextInt(3);
                    switch (r.nextInt(6)) {
                        case 0, 1 -> m.put(path, v);
                        case 2 -> m.put(dir, v);
                        case 3 -> m.remove(r.nextBoolean() ? path : dir);
                        case 4 -> m.remove(path, v);
                        default -> m.removeTree(r.nextInt(3) == 0 ? VolumePath.parent(dir) : r.nextBoolean()
                                ? dir : path);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(60_000);
        }
        assertTrue(m.indexReachesEveryKey(), "a key in the map is out of the index's reach");
        for (int d = 0; d < 3; d++) {
            m.removeTree("d" + d);
        }
        assertEquals(0, m.size(), "entries (or the count) survived removeTree of every top directory");
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 1000; i++) {
            String p = path(r);
            assertNull(m.get(p), p);
            assertNull(m.get(p + "/f" + r.nextInt(8)), p);
        }
    }

    /** A directory two or three levels deep under one of three top directories. */
    private static String path(ThreadLocalRandom r) {
        String d = "d" + r.nextInt(3) + "/e" + r.nextInt(3);
        return r.nextBoolean() ? d : d + "/g" + r.nextInt(3);
    }
}
