package io.camelfs.brick;

import io.camelfs.afr.Changelog;
import io.camelfs.afr.Counters;
import io.camelfs.fop.Gfid;
import io.camelfs.posix.Posix;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and updates the AFR changelog kept in an inode's user.camelfs.afr.* attributes, and keeps the heal index in
 * step with it. Updates are read-modify-write, serialised per inode number.
 */
final class ChangelogStore {
    private static final int STRIPES = 256;
    private final String volume;
    private final PendingIndex index;
    private final Object[] stripes = new Object[STRIPES];

    ChangelogStore(String volume, PendingIndex index) {
        this.volume = volume;
        this.index = index;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /** The changelog of the inode open at fd (a regular file or directory). */
    Changelog read(int fd) {
        List<String> names = Posix.flistxattr(fd);
        Counters dirty = Counters.ZERO;
        Map<Integer, Counters> pending = new HashMap<>();
        for (String n : names) {
            if (n.equals(XattrNames.DIRTY)) {
                dirty = Counters.decode(Posix.fgetxattr(fd, n));
            } else {
                int brick = XattrNames.pendingBrick(volume, n);
                if (brick >= 0) {
                    Counters c = Counters.decode(Posix.fgetxattr(fd, n));
                    if (!c.isZero()) {
                        pending.put(brick, c);
                    }
                }
            }
        }
        if (dirty.isZero() && pending.isEmpty()) {
            return Changelog.CLEAN;
        }
        return new Changelog(dirty, pending);
    }

    private Object stripe(int fd) {
        long ino = Posix.statx(fd, "").ino();
        return stripes[(int) Long.remainderUnsigned(ino, STRIPES)];
    }

    /** This brick now holds changes of the given kinds that the listed bricks lack. */
    void blame(int fd, Gfid gfid, String path, int kinds, Collection<Integer> bricks) {
        if (bricks.isEmpty() || kinds == 0) {
            return;
        }
        synchronized (stripe(fd)) {
            for (int b : bricks) {
                String name = XattrNames.pending(volume, b);
                Counters now = Counters.decode(Posix.fgetxattr(fd, name)).plus(kinds);
                Posix.fsetxattr(fd, name, now.encode(), 0);
            }
        }
        index.add(PendingIndex.Kind.PENDING, gfid, path);
    }

    /** An operation of these kinds was in flight when its client vanished: its outcome elsewhere is unknown. */
    void markDirty(int fd, Gfid gfid, String path, int kinds) {
        synchronized (stripe(fd)) {
            Counters now = Counters.decode(Posix.fgetxattr(fd, XattrNames.DIRTY)).plus(kinds);
            Posix.fsetxattr(fd, XattrNames.DIRTY, now.encode(), 0);
        }
        index.add(PendingIndex.Kind.DIRTY, gfid, path);
    }

    /**
     * Subtracts what a heal repaired, adds blame for bricks that are still away (the healed copy now holds what they
     * lack), and clears the index entries once nothing is left.
     */
    void settle(int fd, Gfid gfid, String path, Counters dirtyHealed, Map<Integer, Counters> pendingHealed,
            Map<Integer, Counters> blame) {
        if (gfid == null) {
            return;
        }
        Changelog after;
        synchronized (stripe(fd)) {
            Map<Integer, Counters> changes = new HashMap<>();
            pendingHealed.forEach((b, c) -> changes.put(b, c));
            for (Map.Entry<Integer, Counters> e : changes.entrySet()) {
                String name = XattrNames.pending(volume, e.getKey());
                Counters left = Counters.decode(Posix.fgetxattr(fd, name)).minus(e.getValue());
                write(fd, name, left);
            }
            for (Map.Entry<Integer, Counters> e : blame.entrySet()) {
                String name = XattrNames.pending(volume, e.getKey());
                Counters now = Counters.decode(Posix.fgetxattr(fd, name));
                Counters add = e.getValue();
                write(fd, name, new Counters(now.data() + add.data(), now.metadata() + add.metadata(),
                        now.entry() + add.entry()));
            }
            write(fd, XattrNames.DIRTY, Counters.decode(Posix.fgetxattr(fd, XattrNames.DIRTY)).minus(dirtyHealed));
            after = read(fd);
        }
        if (after.hasPending()) {
            index.add(PendingIndex.Kind.PENDING, gfid, path);
        } else {
            index.remove(PendingIndex.Kind.PENDING, gfid);
        }
        if (after.dirty().isZero()) {
            index.remove(PendingIndex.Kind.DIRTY, gfid);
        }
        // a settle ends a heal: a healer that still found split-brain marks it again afterwards
        index.remove(PendingIndex.Kind.SPLIT_BRAIN, gfid);
    }

    private static void write(int fd, String name, Counters c) {
        if (c.isZero()) {
            Posix.fremovexattr(fd, name);
        } else {
            Posix.fsetxattr(fd, name, c.encode(), 0);
        }
    }
}
