package io.camelfs.fop;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A concurrent map keyed by volume paths ({@link VolumePath} form) for caches. Entries live in a hash map, and their
 * keys also in a sorted set, so everything beneath a directory is one contiguous range: forgetting a removed or
 * renamed directory's subtree costs time in proportion to the subtree, not to the cache (a scan of every entry per
 * rmdir was a quarter of a mount's CPU). Lookups and replacements touch only the hash map: done in a skip list, with
 * a string comparison per level, they were 15 % of a mount's user CPU in a mkdir loop.
 * The map holds at most {@code capacity} entries. Told when each entry was last used, one more forgets the less
 * recently used half: emptying it instead dropped what was in use with the rest (a directory's listing, after
 * 4,096 new directories anywhere, so that every later create in it paid a lookup round trip). Otherwise one more
 * empties it, as a cache may.
 */
public final class PathMap<V> {
    private final int capacity;
    private final ConcurrentHashMap<String, V> map = new ConcurrentHashMap<>();
    /**
     * The map's keys, sorted: a key is indexed once its entry is in, and leaves with it (see {@link #removeEntry}), so
     * no entry escapes {@link #removeTree}. The index may briefly hold a key whose entry is gone; removal ignores it.
     */
    private final ConcurrentSkipListSet<String> keys = new ConcurrentSkipListSet<>();
    /** Counts insertions and removals: counting a concurrent map walks it. */
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
            added(path);
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
        added(path);
        return made;
    }

    /** A new key went in: indexed, counted, and one over capacity makes room. */
    private void added(String path) {
        keys.add(path);
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
        return removeEntry(path, null);
    }

    /** Removes the entry if it still holds value (by equals): a replaced entry stays. */
    public boolean remove(String path, V value) {
        return removeEntry(path, value) != null;
    }

    /**
     * Removes path's entry, if expected is null or the entry equals it. The key leaves the index inside the map's
     * update of that key, and a put indexes its key after its update: so no key is in the map but not the index.
     */
    private V removeEntry(String path, V expected) {
        Object[] gone = new Object[1];
        map.computeIfPresent(path, (k, current) -> {
            if (expected != null && !expected.equals(current)) {
                return current;
            }
            keys.remove(k);
            gone[0] = current;
            return null;
        });
        if (gone[0] == null) {
            return null;
        }
        size.decrementAndGet();
        @SuppressWarnings("unchecked")
        V v = (V) gone[0];
        return v;
    }

    /** Removes dir and every path beneath it; the root ("") takes everything. */
    public void removeTree(String dir) {
        if (dir.isEmpty()) {
            clear();
            return;
        }
        remove(dir);
        // "dir/" up to "dir0": '0' follows '/' in UTF-16 order, so the range holds exactly the paths beneath dir
        for (String path : keys.subSet(dir + "/", true, dir + "0", false)) {
            remove(path);
        }
    }

    public void clear() {
        keys.clear(); // the index first: a put in between leaves its key indexed
        map.clear();
        size.set(0);
    }

    public int size() {
        return Math.max(0, size.get());
    }
}
