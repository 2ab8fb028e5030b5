package io.camelfs.afr;

import io.camelfs.fop.Gfid;
import io.camelfs.fop.PathMap;

/**
 * Which gfid this client last saw at a path, so data operations need no lookup round trip. A stale entry is
 * harmless: bricks refuse an operation whose gfid no longer matches (ESTALE) and the client looks up again.
 */
final class GfidCache {
    private final PathMap<Gfid> map;

    GfidCache(int capacity) {
        this.map = new PathMap<>(capacity);
    }

    Gfid get(String path) {
        return map.get(path);
    }

    void put(String path, Gfid gfid) {
        if (gfid != null) {
            map.put(path, gfid);
        }
    }

    void remove(String path) {
        map.remove(path);
    }

    /** A directory moved or vanished: everything cached beneath it is out of date. */
    void removeTree(String dir) {
        map.removeTree(dir);
    }
}
