package io.camelfs.fop;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A concurrent map keyed by volume paths ({@link VolumePath} form) for caches. Keys are kept sorted, so everything
 * beneath a directory is one contiguous range: forgetting a removed or renamed directory's subtree costs time in
 * proportion to the subtree, not to the cache (a scan of every entry per rmdir was a quarter of a mount's CPU).
 * The map holds at most {@code capacity} entries. Told when each entry was last used, one more forgets the less
 * recently used half: emptying it instead dropped what was in use with the rest (a directory's listing, after
 * 4,096 new directories anywhere, so that every later create in it paid a lookup round trip). Otherwise one more
 * empties it, as a cache may.
 */
public final class PathMap<V> {
    private final int capacity;
    private final ConcurrentSkipListMap<String, V> map = new ConcurrentSkipListMap<>();
    /** The skip list counts its entries by walking them; this counts insertions and removals instead. */
    private final AtomicInteger size = new AtomicInteger();
    /** An entry's last use as a System.nanoTime stamp; null: overflow empties the map. */
    private final ToLongFunction<V> lastUsed;
    private final AtomicBoolean evicting = new AtomicBoolean();

    public PathMap(int capacity) {
        this(capacity, null);
    }

    /** @param lastUsed when an entry was last used (System.nanoTime), read only when the map overflows */
    public PathMap(int capacity, ToLongFunction<V> lastUsed) {
        this.capacity = capacity;
        this.lastUsed = lastUsed;
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

    /** A new key went in: counted, and one over capacity makes room. */
    private void added() {
        if (size.incrementAndGet() > capacity) {
            if (lastUsed == null) {
                clear();
            } else {
                forgetOlderHalf();
            }
        }
    }

    /**
     * Removes the median entry and every entry used longer ago: at least half. One thread does it while others go on
     * (the map may briefly hold a few more than capacity); its cost, a sort of the stamps, is spread over the
     * capacity / 2 insertions until the next time.
     */
    private void forgetOlderHalf() {
        if (!evicting.compareAndSet(false, true)) {
            return;
        }
        try {
            long now = System.nanoTime();
            long[] ages = map.values().stream().mapToLong(v -> now - lastUsed.applyAsLong(v)).toArray();
            if (ages.length == 0) {
                return;
            }
            Arrays.sort(ages);
            long cutoff = ages[ages.length / 2];
            for (Map.Entry<String, V> e : map.entrySet()) {
                if (now - lastUsed.applyAsLong(e.getValue()) >= cutoff) {
                    remove(e.getKey(), e.getValue());
                }
            }
        } finally {
            evicting.set(false);
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
