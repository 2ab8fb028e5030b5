package io.camelfs.mount;

import io.camelfs.fop.Attr;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Attributes the volume returned moments ago, by path, for the attribute timeout. libfuse asks getattr right after
 * create, mkdir and setattr, and once per name after readdir; answering those from here saves a round trip each.
 * Only this mount's own changes invalidate it; others' changes are seen after the timeout, as the kernel's own
 * attribute cache behaves.
 */
final class AttrCache {
    private record Entry(Attr attr, long expires) {
    }

    private final long ttlMillis;
    private final ConcurrentHashMap<String, Entry> map = new ConcurrentHashMap<>();

    AttrCache(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    Attr get(String path) {
        if (ttlMillis <= 0) {
            return null;
        }
        Entry e = map.get(path);
        if (e == null) {
            return null;
        }
        if (System.currentTimeMillis() > e.expires) {
            map.remove(path, e);
            return null;
        }
        return e.attr;
    }

    void put(String path, Attr a) {
        if (ttlMillis <= 0) {
            return;
        }
        if (map.size() > 200_000) {
            map.clear(); // bound memory; the cache is an optimisation only
        }
        map.put(path, new Entry(a, System.currentTimeMillis() + ttlMillis));
    }

    void remove(String path) {
        map.remove(path);
    }

    void removeTree(String dir) {
        map.remove(dir);
        String prefix = dir + "/";
        map.keySet().removeIf(k -> k.startsWith(prefix));
    }
}
