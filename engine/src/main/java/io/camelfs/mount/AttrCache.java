package io.camelfs.mount;

import io.camelfs.fop.Attr;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.PathMap;
import io.camelfs.fop.VolumePath;
import io.camelfs.protocol.LeaseKeys;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Attributes this mount's own operations just returned (create, mkdir, setattr, write), reused while this client
 * holds the inode's lease: no other client can change a file without first recalling that lease, and a recall
 * empties the entry. That the name still leads to the inode is another matter: another client's unlink or rename of
 * it, or of a directory above, takes name keys, not the inode's. So past the operation itself an entry serves only
 * while this client also knows the parent directory's listing, which every such change recalls first. A cached
 * answer is thus never stale (directories and hard-linked files: see {@link #SAME_OPERATION_NANOS}). libfuse asks getattr right after every create, mkdir and chmod;
 * answering those from here saves a round trip each. Lookups by others' changes always go to the bricks.
 */
final class AttrCache {
    private record Entry(Attr attr, long observedNanos) {
    }

    private final long ttlNanos;
    private final Predicate<Gfid> leaseHeld;
    private final Predicate<String> listingKnown;
    private final PathMap<Entry> map = new PathMap<>(100_000);
    private volatile long lastRecallNanos = System.nanoTime() - (1L << 62);
    /**
     * Each inode's cached names: a String for the one name nearly every inode has, a Set for more (a set per inode
     * cost about 200 bytes per cached file).
     */
    private final ConcurrentHashMap<Gfid, Object> byInode = new ConcurrentHashMap<>();
    /** Paths cached with a link count above one: what {@link #forgetLinked} drops, without scanning the rest. */
    private final Set<String> linked = ConcurrentHashMap.newKeySet();

    AttrCache(long ttlMillis, Predicate<Gfid> leaseHeld, Predicate<String> listingKnown) {
        this.ttlNanos = ttlMillis * 1_000_000L;
        this.leaseHeld = leaseHeld;
        this.listingKnown = listingKnown;
    }

    /**
     * How long an entry serves without more than the inode's lease: the getattr libfuse and the kernel issue within
     * the same operation. A directory's times, size and link count change with every entry made inside it (which
     * takes the entry's lease, not the directory's), and another client's unlink of one name of a hard-linked file
     * changes the link count the others report without the inode's lease: those serve only this long.
     */
    static final long SAME_OPERATION_NANOS = 2_000_000;

    Attr get(String path) {
        Entry e = map.get(path);
        if (e == null) {
            return null;
        }
        long age = System.nanoTime() - e.observedNanos;
        if (age > ttlNanos || !leaseHeld.test(e.attr.gfid()) || age > SAME_OPERATION_NANOS
                && (e.attr.isDirectory() || e.attr.hasOtherNames() || !listingKnown.test(VolumePath.parent(path)))) {
            map.remove(path, e);
            return null;
        }
        return e.attr;
    }

    /**
     * @param observedNanos when the operation that returned the attributes started: if a recall came since, they may
     *     predate another client's change that the recall made way for, so they are not kept
     */
    void put(String path, Attr a, long observedNanos) {
        if (ttlNanos <= 0 || a == null || a.gfid() == null || lastRecallNanos - observedNanos >= 0) {
            return;
        }
        if (byInode.size() > 100_000) {
            clear(); // bound memory; the cache is an optimisation only (the map bounds itself)
        }
        map.put(path, new Entry(a, observedNanos));
        byInode.compute(a.gfid(), (g, names) -> withName(names, path));
        if (a.hasOtherNames()) {
            linked.add(path);
        }
    }

    private static Object withName(Object names, String path) {
        if (names == null || names.equals(path)) {
            return path;
        }
        Set<String> more = new HashSet<>();
        if (names instanceof String one) {
            more.add(one);
        } else {
            @SuppressWarnings("unchecked")
            Set<String> set = (Set<String>) names;
            more.addAll(set);
        }
        more.add(path);
        return more; // never changed after this: a reader outside compute sees a whole set
    }

    /** Forgets the path and every other name of the same inode (a hard link's count changed for all). */
    void remove(String path) {
        Entry e = map.remove(path);
        if (e != null) {
            forgetInode(e.attr.gfid());
        }
    }

    /**
     * Drops every entry of a file with more than one name: removing or renaming one name changes the link count
     * the others report, and which inode a name held is not always known beforehand.
     */
    void forgetLinked() {
        for (var it = linked.iterator(); it.hasNext(); ) {
            String path = it.next();
            it.remove();
            Entry e = map.get(path);
            if (e != null && e.attr.hasOtherNames()) {
                map.remove(path, e);
            }
        }
    }

    void forgetInode(Gfid g) {
        if (g == null) {
            return;
        }
        Object names = byInode.remove(g);
        if (names instanceof String one) {
            map.remove(one);
        } else if (names != null) {
            @SuppressWarnings("unchecked")
            Set<String> set = (Set<String>) names;
            set.forEach(map::remove);
        }
    }

    void removeTree(String dir) {
        remove(dir);
        map.removeTree(dir);
    }

    private void clear() {
        map.clear();
        byInode.clear();
        linked.clear();
    }

    /** The gfid this mount last saw at the path, while its cache entry is valid. */
    Gfid gfidOf(String path) {
        Attr a = get(path);
        return a == null ? null : a.gfid();
    }

    /** Leases were recalled ("i:GFID" keys), or all presumed gone (null). */
    void recalled(List<String> keys) {
        lastRecallNanos = System.nanoTime();
        if (keys == null) {
            clear();
            return;
        }
        for (String k : keys) {
            Gfid g = LeaseKeys.inodeOf(k);
            if (g != null) {
                forgetInode(g);
            }
        }
    }
}
