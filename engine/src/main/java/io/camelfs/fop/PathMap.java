package io.camelfs.fop;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A concurrent map keyed by volume paths ({@link VolumePath} form) for caches. Entries live in a hash map, and an
 * index of names by directory reaches everything beneath a directory: forgetting a removed or renamed directory's
 * subtree costs time in proportion to the subtree, not to the cache (a scan of every entry per rmdir was a quarter of
 * a mount's CPU). Lookups and replacements touch only the hash map. A new key costs one hash update per directory
 * level not yet indexed; a sorted index (a skip list, with a string comparison per level) cost 7-8 % of a mount's
 * samples in loops of creates and mkdirs.
 * The map holds at most {@code capacity} entries. Told when each entry was last used, one more forgets the less
 * recently used half: emptying it instead dropped what was in use with the rest (a directory's listing, after
 * 4,096 new directories anywhere, so that every later create in it paid a lookup round trip). Otherwise one more
 * empties it, as a cache may.
 */
public final class PathMap<V> {
    private final int capacity;
    private final ConcurrentHashMap<String, V> map = new ConcurrentHashMap<>();
    /**
     * For each directory, the paths of its children that have an entry or indexed children of their own. A key is
     * indexed once its entry is in, and no key in the map is ever out of reach of {@link #removeTree}: a name is
     * added bottom-up, and taken out of its directory's set only inside that set's update, when it has neither an
     * entry nor a set of its own (see {@link #unindex}). The sets change only inside the map's per-key updates, so
     * plain sets do; one taken out of the map is no longer changed by anyone.
     */
    private final ConcurrentHashMap<String, Set<String>> children = new ConcurrentHashMap<>();
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
        index(path);
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

    /** Removes path's entry, if expected is null or the entry equals it; then its name leaves the index. */
    private V removeEntry(String path, V expected) {
        V gone = take(path, expected);
        if (gone != null) {
            unindex(path);
        }
        return gone;
    }

    /** Removes path's entry (if expected is null or equals it) from the map only, and counts it. */
    private V take(String path, V expected) {
        Object[] gone = new Object[1];
        map.computeIfPresent(path, (k, current) -> {
            if (expected != null && !expected.equals(current)) {
                return current;
            }
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

    /** Names path in its directory's set, and that directory in its own, up to the first already named. */
    private void index(String path) {
        boolean[] fresh = new boolean[1];
        String name = path;
        while (!name.isEmpty()) {
            String child = name;
            String dir = VolumePath.parent(name);
            children.compute(dir, (d, names) -> {
                Set<String> s = names != null ? names : new HashSet<>();
                fresh[0] = s.add(child);
                return s;
            });
            if (!fresh[0]) {
                return; // named before, so its directory is too, or a removeTree in progress will reach it
            }
            name = dir;
        }
    }

    /**
     * Takes path's name out of its directory's set if path has neither an entry nor names beneath it, and so on up
     * while directories are left with nothing. The check and the removal happen in one update of the directory's
     * set, which an {@link #index} of anything beneath path must pass through after its own entry or set exists.
     */
    private void unindex(String path) {
        boolean[] emptied = new boolean[1];
        String name = path;
        while (!name.isEmpty()) {
            String child = name;
            String dir = VolumePath.parent(name);
            emptied[0] = false;
            children.computeIfPresent(dir, (d, names) -> {
                if (map.containsKey(child) || children.containsKey(child)) {
                    return names;
                }
                names.remove(child);
                emptied[0] = names.isEmpty();
                return emptied[0] ? null : names;
            });
            if (!emptied[0] || map.containsKey(dir)) {
                return;
            }
            name = dir;
        }
    }

    /** Removes dir and every path beneath it; the root ("") takes everything. */
    public void removeTree(String dir) {
        if (dir.isEmpty()) {
            clear();
            return;
        }
        take(dir, null);
        Deque<String> todo = new ArrayDeque<>();
        todo.push(dir);
        while (!todo.isEmpty()) {
            // a put beneath a directory whose set is taken makes a new set, and names that directory again
            Set<String> names = children.remove(todo.pop());
            if (names != null) {
                for (String p : names) {
                    take(p, null);
                    todo.push(p);
                }
            }
        }
        unindex(dir);
    }

    public void clear() {
        children.clear(); // the index first: a put in between leaves its key indexed
        map.clear();
        size.set(0);
    }

    public int size() {
        return Math.max(0, size.get());
    }

    /** Directories the index holds a set for: none once every entry is gone (for tests). */
    int indexedDirectories() {
        return children.size();
    }

    /** Whether removeTree("") by way of the index would reach every key (for tests, at rest). */
    boolean indexReachesEveryKey() {
        Set<String> reached = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(""));
        while (!todo.isEmpty()) {
            for (String p : children.getOrDefault(todo.pop(), Set.of())) {
                if (reached.add(p)) {
                    todo.push(p);
                }
            }
        }
        return reached.containsAll(map.keySet().stream().filter(k -> !k.isEmpty()).toList());
    }
}
