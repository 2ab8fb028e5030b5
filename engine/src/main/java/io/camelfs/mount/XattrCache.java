package io.camelfs.mount;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.PathMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Extended-attribute answers (a value or "none") for inodes whose lease this client holds, as {@link AttrCache}.
 * Linux asks a FUSE filesystem for security.capability before every write; for a file this mount just created the
 * answer is known (none), and for one it keeps writing it cannot change behind its back. A path keeps one answer,
 * the last asked for: that one name is what the kernel asks again and again, and a map per path cost about 200 bytes
 * more per cached file (a mount that had made 100,000 files spent a tenth of its time in full collections).
 */
final class XattrCache {
    /** The answer for name: its value, or null for none; the name "" means "no attributes at all" (a fresh inode). */
    private record Answer(String name, Gfid gfid, byte[] value, long observedNanos) {
        boolean answers(String asked) {
            return name.isEmpty() || name.equals(asked);
        }
    }

    private final long ttlNanos;
    private final Predicate<Gfid> leaseHeld;
    private final PathMap<Answer> map = new PathMap<>(100_000);

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
        Answer a = map.get(path);
        if (a != null && a.answers(name)) {
            if (valid(a) && (gfid == null || gfid.equals(a.gfid))) {
                if (a.value == null) {
                    throw new FopException(Errno.ENODATA, "/" + path + ": " + Errno.describe(Errno.ENODATA));
                }
                return a.value;
            }
            map.remove(path, a);
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
            map.put(path, new Answer(name, gfid, v, start));
        }
        if (v == null) {
            throw new FopException(Errno.ENODATA, "/" + path + ": " + Errno.describe(Errno.ENODATA));
        }
        return v;
    }

    /** The inode was just created by this mount: it has no extended attributes. */
    void none(String path, Gfid gfid, long observedNanos) {
        if (ttlNanos > 0 && gfid != null) {
            map.put(path, new Answer("", gfid, null, observedNanos));
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
