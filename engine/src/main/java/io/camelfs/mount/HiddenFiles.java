package io.camelfs.mount;

import io.camelfs.fop.Gfid;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Files libfuse hid: unlinked while open, renamed to {@code .fuse_hidden…} and removed when libfuse's count of their
 * open descriptors drops to zero. That count misses an open the kernel began before the unlink (it resolved the
 * name first) and libfuse serves under the hidden name just as the last older descriptor closes: libfuse removes
 * the file, and the new descriptor's reads, writes and locks then fail ENOENT where a local disk keeps the file
 * for it. Opens under a hidden name are counted here, and a removal waits until the last of them is released.
 * Both happen under one monitor with the look at the bricks, so an open either counts before the removal or
 * finds the file gone (and the kernel looks the name up again). Only hidden names come here, which is rare.
 */
final class HiddenFiles {
    private static final String PREFIX = ".fuse_hidden";

    private final Map<Gfid, Integer> opens = new HashMap<>();
    private final Set<Gfid> removalsDue = new HashSet<>();

    /** Whether libfuse named this path (its last component) when it hid an unlinked open file. */
    static boolean hidden(String path) {
        return path.startsWith(PREFIX, path.lastIndexOf('/') + 1);
    }

    /**
     * An open under a hidden name. look returns the file's gfid from the bricks, or throws if it is gone. Returns
     * the gfid, counted until {@link #release}; a file without one (null) is not counted.
     */
    synchronized Gfid open(Supplier<Gfid> look) {
        Gfid g = look.get();
        if (g != null) {
            opens.merge(g, 1, Integer::sum);
        }
        return g;
    }

    /** libfuse removes a hidden file: unlink runs now, unless a descriptor counted here still has the file. */
    synchronized void remove(Supplier<Gfid> look, Runnable unlink) {
        Gfid g = look.get();
        if (g != null && opens.containsKey(g)) {
            removalsDue.add(g);
            return;
        }
        unlink.run();
    }

    /** A descriptor opened under a hidden name closed; the last one of a file whose removal waited removes it. */
    synchronized void release(Gfid g, Runnable unlink) {
        Integer left = opens.computeIfPresent(g, (k, n) -> n == 1 ? null : n - 1);
        if (left == null && removalsDue.remove(g)) {
            unlink.run();
        }
    }
}
