package io.camelfs.mount;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Extended attribute answers (values and "no such attribute") by path and name, for the attribute timeout. Linux
 * asks a FUSE filesystem for security.capability before every write to decide whether to drop privileges; without
 * this each 4 KiB write would cost a second round trip to the bricks. This mount's own set/remove invalidate it.
 */
final class XattrCache {
    private record Answer(byte[] value, long expires) {
    }

    private final long ttlMillis;
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Answer>> map = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> none = new ConcurrentHashMap<>();

    XattrCache(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    /** The cached answer, or the loader's (ENODATA is cached too). */
    byte[] get(String path, String name, Supplier<byte[]> loader) {
        if (ttlMillis <= 0) {
            return loader.get();
        }
        Long fresh = none.get(path);
        if (fresh != null) {
            if (System.currentTimeMillis() <= fresh) {
                throw new FopException(Errno.ENODATA, "/" + path + ": " + Errno.describe(Errno.ENODATA));
            }
            none.remove(path, fresh);
        }
        var names = map.get(path);
        Answer a = names == null ? null : names.get(name);
        long now = System.currentTimeMillis();
        if (a == null || now > a.expires) {
            byte[] v;
            try {
                v = loader.get();
            } catch (FopException e) {
                if (e.errno() != Errno.ENODATA) {
                    throw e;
                }
                v = null;
            }
            a = new Answer(v, now + ttlMillis);
            if (map.size() > 100_000) {
                map.clear();
            }
            if (none.size() > 100_000) {
                none.clear();
            }
            map.computeIfAbsent(path, k -> new ConcurrentHashMap<>()).put(name, a);
        }
        if (a.value == null) {
            throw new FopException(Errno.ENODATA, "/" + path + ": " + Errno.describe(Errno.ENODATA));
        }
        return a.value;
    }

    /** The inode was just created by this mount: every name answers ENODATA until the timeout. */
    void none(String path) {
        if (ttlMillis > 0) {
            none.put(path, System.currentTimeMillis() + ttlMillis);
        }
    }

    void remove(String path) {
        none.remove(path);
        map.remove(path);
    }

    void removeTree(String dir) {
        none.remove(dir);
        none.keySet().removeIf(k -> k.startsWith(dir + "/"));
        map.remove(dir);
        String prefix = dir + "/";
        map.keySet().removeIf(k -> k.startsWith(prefix));
    }
}
