package io.camelfs.mount;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.PathMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Extended-attribute answers (a value or "none") for inodes whose lease this client holds, as {@link AttrCache}.
 * Linux asks a FUSE filesystem for security.capability before every write; for a file this mount just created the
 * answer is known (none), and for one it keeps writing it cannot change behind its back.
 */
final class XattrCache {
    private record Answer(Gfid gfid, byte[] value, long observedNanos) {
    }

    private final long ttlNanos;
    private final Predicate<Gfid> leaseHeld;
    /** path -> (name -> answer); the name "" means "no attributes at all" (a fresh inode). */
    private final PathMap<ConcurrentHashMap<String, Answer>> map = new PathMap<>(100_000);

    XattrCache(long ttlMillis, Predicate<Gfid> leaseHeld) {
        this.ttlNanos = ttlMillis * 1_000_000L;
        this.leaseHeld = leaseHeld;
    }

    private boolean valid(Answer a) {
        return System.nanoTime() - a.observedNanos <= ttlNanos && leaseHeld.test(a.gfid);
    }

    /**
     * The cached answer, or the loader's; gfid is the inode's as far as this mount knows it (null: do not cache).
     */
    byte[] get(String path, String name, Gfid gfid, Supplier<byte[]> loader) {
        var names = map.get(path);
        if (names != null) {
            Answer a = names.get(name);
            if (a == null) {
                a = names.get("");
            }
            if (a != null) {
                if (valid(a) && (gfid == null || gfid.equals(a.gfid))) {
                    if (a.value == null) {
                        throw new FopException(Errno.ENODATA, "/" + path + ": " + Errno.describe(Errno.ENODATA));
                    }
                    return a.value;
                }
                map.remove(path);
            }
        }
        long start = System.nanoTime();
        byte[] v;
        try {
            v = loader.get();
        } catch (FopException e) {
            if (e.errno() != Errno.ENODATA) {
                throw e;
            }
            v = null;
        }
        if (gfid != null && ttlNanos > 0) {
            map.computeIfAbsent(path, k -> new ConcurrentHashMap<>()).put(name, new Answer(gfid, v, start));
        }
        if (v == null) {
            throw new FopException(Errno.ENODATA, "/" + path + ": " + Errno.describe(Errno.ENODATA));
        }
        return v;
    }

    /** The inode was just created by this mount: it has no extended attributes. */
    void none(String path, Gfid gfid, long observedNanos) {
        if (ttlNanos > 0 && gfid != null) {
            ConcurrentHashMap<String, Answer> m = new ConcurrentHashMap<>();
            m.put("", new Answer(gfid, null, observedNanos));
            map.put(path, m);
        }
    }

    void remove(String path) {
        map.remove(path);
    }

    void removeTree(String dir) {
        map.removeTree(dir);
    }

    void clear() {
        map.clear();
    }
}
