package io.camelfs.afr;

import io.camelfs.fop.Gfid;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which gfid this client last saw at a path, so data operations need no lookup round trip. A stale entry is
 * harmless: bricks refuse an operation whose gfid no longer matches (ESTALE) and the client looks up again.
 */
final class GfidCache {
    private final int capacity;
    private final LinkedHashMap<String, Gfid> map;

    GfidCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(256, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Gfid> e) {
                return size() > GfidCache.this.capacity;
            }
        };
    }

    synchronized Gfid get(String path) {
        return map.get(path);
    }

    synchronized void put(String path, Gfid gfid) {
        if (gfid != null) {
            map.put(path, gfid);
        }
    }

    synchronized void remove(String path) {
        map.remove(path);
    }

    /** A directory moved or vanished: everything cached beneath it is out of date. */
    synchronized void removeTree(String dir) {
        String prefix = dir + "/";
        map.keySet().removeIf(p -> p.equals(dir) || p.startsWith(prefix) || dir.isEmpty());
    }
}
