package io.camelfs.fop;

import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A concurrent map keyed by volume paths ({@link VolumePath} form) for caches. Keys are kept sorted, so everything
 * beneath a directory is one contiguous range: forgetting a removed or renamed directory's subtree costs time in
 * proportion to the subtree, not to the cache (a scan of every entry per rmdir was a quarter of a mount's CPU).
 * The map holds at most {@code capacity} entries: one more empties it, as a cache may.
 */
public final class PathMap<V> {
    private final int capacity;
    private final ConcurrentSkipListMap<String, V> map = new ConcurrentSkipListMap<>();
    /** The skip list counts its entries by walking them; this counts insertions and removals instead. */
    private final AtomicInteger size = new AtomicInteger();

    public PathMap(int capacity) {
        this.capacity = capacity;
    }

    public V get(String path) {
        return map.get(path);
    }

    public void put(String path, V value) {
        if (map.put(path, value) == null) {
            added();
        }
    }

    public V computeIfAbsent(String path, Function<String, V> create) {
        V v = map.get(path);
        if (v != null) {
            return v;
        }
        V made = create.apply(path);
        V raced = map.putIfAbsent(path, made);
        if (raced != null) {
            return raced;
        }
        added();
        return made;
    }

    /** A new key went in: counted, and one over capacity empties the map. */
    private void added() {
        if (size.incrementAndGet() > capacity) {
            clear();
        }
    }

    public V remove(String path) {
        V v = map.remove(path);
        if (v != null) {
            size.decrementAndGet();
        }
        return v;
    }

    public boolean remove(String path, V value) {
        boolean removed = map.remove(path, value);
        if (removed) {
            size.decrementAndGet();
        }
        return removed;
    }

    /** Removes dir and every path beneath it; the root ("") takes everything. */
    public void removeTree(String dir) {
        if (dir.isEmpty()) {
            clear();
            return;
        }
        remove(dir);
        // "dir/" up to "dir0": '0' follows '/' in UTF-16 order, so the range holds exactly the paths beneath dir
        ConcurrentNavigableMap<String, V> beneath = map.subMap(dir + "/", true, dir + "0", false);
        for (Map.Entry<String, V> e : beneath.entrySet()) {
            remove(e.getKey(), e.getValue());
        }
    }

    public void clear() {
        map.clear();
        size.set(0);
    }

    public int size() {
        return Math.max(0, size.get());
    }
}
