package io.camelfs.mount;

import io.camelfs.fop.Gfid;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The files this mount's descriptors have open, by the handle open and create give libfuse (fi.fh), which the
 * kernel names in every later call on the descriptor. A lock goes by it to the file the descriptor opened, even
 * once that file was renamed or unlinked: libfuse's path for it may by then name another file, or nothing.
 */
final class OpenFiles {
    /** What a handle stands for; hidden: opened under a name libfuse gave an unlinked file (see HiddenFiles). */
    record Open(Gfid gfid, boolean hidden) {
    }

    private final ConcurrentHashMap<Long, Open> byHandle = new ConcurrentHashMap<>();
    private final AtomicLong lastHandle = new AtomicLong();

    /** A new descriptor's handle; 0 (no handle) for a file without a gfid. */
    long add(Gfid gfid, boolean hidden) {
        if (gfid == null) {
            return 0;
        }
        long h = lastHandle.incrementAndGet();
        byHandle.put(h, new Open(gfid, hidden));
        return h;
    }

    /** The gfid of the file a descriptor opened, or null (no handle, or released). */
    Gfid gfid(long handle) {
        Open o = handle == 0 ? null : byHandle.get(handle);
        return o == null ? null : o.gfid();
    }

    /**
     * Descriptors of a file whose create lost to another client's: they have that client's file (a create without
     * O_EXCL is an open of an existing file), whose gfid their reads, writes and locks must name.
     */
    void retarget(Gfid predicted, Gfid actual) {
        if (actual != null && !actual.equals(predicted)) {
            byHandle.replaceAll((h, o) -> o.gfid().equals(predicted) ? new Open(actual, o.hidden()) : o);
        }
    }

    /** The descriptor was closed for good; what it had open, or null. */
    Open remove(long handle) {
        return handle == 0 ? null : byHandle.remove(handle);
    }
}
