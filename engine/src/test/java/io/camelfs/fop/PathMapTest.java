package io.camelfs.fop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
    void afterConcurrentPutsAndRemovalsEveryEntryIsStillReachedByRemoveTree() throws InterruptedException {
        // a key the sorted index lost would survive removeTree: a cache would keep answering for a removed directory
        PathMap<Integer> m = new PathMap<>(1_000_000);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < 50_000; i++) {
                    String dir = "d" + r.nextInt(3);
                    String path = dir + "/f" + r.nextInt(40);
                    int v = r.nextInt(3);
                    switch (r.nextInt(5)) {
                        case 0, 1 -> m.put(path, v);
                        case 2 -> m.remove(path);
                        case 3 -> m.remove(path, v);
                        default -> m.removeTree(r.nextInt(4) == 0 ? dir : path);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(60_000);
        }
        for (int d = 0; d < 3; d++) {
            m.removeTree("d" + d);
            for (int f = 0; f < 40; f++) {
                assertNull(m.get("d" + d + "/f" + f), "d" + d + "/f" + f);
            }
        }
        assertEquals(0, m.size(), "the count follows the entries");
    }
}
