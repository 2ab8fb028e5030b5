package io.camelfs.fop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
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
}
