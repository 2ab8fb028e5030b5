package io.camelfs.brick;

import io.camelfs.afr.Changelog;
import io.camelfs.afr.Counters;
import io.camelfs.fop.Attr;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.SetAttr;
import io.camelfs.fop.StatFs;
import io.camelfs.fop.Timespec;
import io.camelfs.fop.VolumePath;
import io.camelfs.posix.Posix;
import io.camelfs.posix.Sha256;
import io.camelfs.posix.Stat;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jnr.ffi.Pointer;

/**
 * The posix layer of a brick: file operations on the brick directory. Every path is resolved beneath the brick
 * root by the kernel (openat2 with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS), final components are never followed,
 * and errors are the errno the filesystem returned. Regular files and directories carry their gfid in an xattr;
 * symlinks and special files cannot hold user xattrs on Linux, so they have none and are identified by their
 * parent directory's entries.
 *
 * <p>Times: an operation that carries the client's time stamps what it changes with that time (see
 * {@link DirTimes}), so every brick's copy has the same times; reads use O_NOATIME for the same reason. Heal
 * operations ({@link #install}, {@link #expunge}, {@link #setMeta}) copy the source's times instead.
 */
public final class PosixStore {
    private static final long RESOLVE = Posix.RESOLVE_BENEATH | Posix.RESOLVE_NO_SYMLINKS
            | Posix.RESOLVE_NO_MAGICLINKS;
    private static final int DIRENT_BUFFER = 64 * 1024;
    /** Sequential writes start their writeback in pieces of this size (startWritebackOfFilledChunk). */
    private static final long WRITEBACK_CHUNK = 8 << 20;

    private final BrickRoot root;
    private final ChangelogStore changelog;
    private final int umask;
    private final int euid;
    private final int egid;
    /**
     * An arbiter brick (replica 3 arbiter 1) keeps names, metadata and the changelog but no file data: writes leave
     * its files empty. It breaks ties between the data bricks at a fraction of their space.
     */
    private final boolean arbiter;
    private final DirTimes dirTimes = new DirTimes();

    public PosixStore(BrickRoot root) {
        this(root, false);
    }

    public PosixStore(BrickRoot root, boolean arbiter) {
        this.root = root;
        this.arbiter = arbiter;
        this.changelog = new ChangelogStore(root.volume(), root.index());
        int m = Posix.umask(022);
        Posix.umask(m);
        this.umask = m;
        this.euid = Posix.geteuid();
        this.egid = Posix.getegid();
    }

    public BrickRoot root() {
        return root;
    }

    ChangelogStore changelog() {
        return changelog;
    }

    /** EEXIST that also tells which inode is already there. */
    public static final class ExistsException extends FopException {
        private static final long serialVersionUID = 1L;
        private final transient Gfid existing;

        ExistsException(String path, Gfid existing) {
            super(Errno.EEXIST, VolumePath.display(path) + ": " + Errno.describe(Errno.EEXIST));
            this.existing = existing;
        }

        public Gfid existing() {
            return existing;
        }
    }

    /** What a lookup saw: attributes, the inode's changelog and its parent directory's. */
    public record Looked(Attr attr, Changelog changelog, Changelog parent) {
    }

    // ---------------------------------------------------------------------------------------------- resolution

    /** An entry: its parent directory, open, and its name there ("" for the brick root itself). */
    final class Entry implements AutoCloseable {
        final String path;
        final String name;
        final int dir;
        private final boolean own;

        Entry(String path, String name, int dir, boolean own) {
            this.path = path;
            this.name = name;
            this.dir = dir;
            this.own = own;
        }

        boolean isRoot() {
            return path.isEmpty();
        }

        @Override
        public void close() {
            if (own) {
                Posix.close(dir);
            }
        }
    }

    /** An inode opened for attribute and xattr access. */
    static final class Inode implements AutoCloseable {
        final int fd;
        final Stat stat;
        private final boolean own;
        /** Read at most once per operation: checking the expected gfid and reporting it would read it twice. */
        private Gfid gfid;
        private boolean gfidRead;

        Inode(int fd, Stat stat, boolean own) {
            this.fd = fd;
            this.stat = stat;
            this.own = own;
        }

        /** The gfid xattr (null if none, or if this kind of inode cannot carry one). */
        Gfid gfid() {
            if (!gfidRead) {
                gfid = xattrCapable(stat) ? Gfid.ofNullable(Posix.fgetxattr(fd, XattrNames.GFID)) : null;
                gfidRead = true;
            }
            return gfid;
        }

        @Override
        public void close() {
            if (own) {
                Posix.close(fd);
            }
        }
    }

    /**
     * Normalises and checks a client path. The metadata folder does not exist for clients: reading it says ENOENT,
     * creating it EPERM.
     */
    String checked(String path, boolean mutating) {
        String p = VolumePath.normalize(path);
        if (p.equals(BrickRoot.META) || p.startsWith(BrickRoot.META + "/")) {
            throw mutating ? new FopException(Errno.EPERM, "/" + p + ": reserved for brick metadata")
                    : FopException.of(Errno.ENOENT, "/" + p);
        }
        return p;
    }

    Entry entry(String path, boolean mutating) {
        String p = checked(path, mutating);
        if (p.isEmpty()) {
            return new Entry(p, "", root.fd(), false);
        }
        String parent = VolumePath.parent(p);
        if (parent.isEmpty()) {
            return new Entry(p, p, root.fd(), false);
        }
        int fd;
        try {
            fd = Posix.openat2(root.fd(), parent, Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_CLOEXEC, 0, RESOLVE);
        } catch (FopException e) {
            throw resolveError(e, p);
        }
        return new Entry(p, VolumePath.name(p), fd, true);
    }

    private static FopException resolveError(FopException e, String path) {
        if (e.errno() == Errno.EXDEV) {
            // RESOLVE_BENEATH refused: something tried to lead outside the brick
            return new FopException(Errno.EXDEV, VolumePath.display(path) + ": path leaves the brick");
        }
        return FopException.of(e.errno(), VolumePath.display(path));
    }

    private Stat statOf(Entry e) {
        try {
            return e.isRoot() ? Posix.statx(root.fd(), "") : Posix.statx(e.dir, e.name);
        } catch (FopException ex) {
            throw FopException.of(ex.errno(), VolumePath.display(e.path));
        }
    }

    /** Opens a regular file or directory without following a symlink; specials are opened O_PATH. */
    Inode open(Entry e, int accessFlags) {
        if (e.isRoot()) {
            return new Inode(root.fd(), Posix.statx(root.fd(), ""), false);
        }
        Stat st = statOf(e);
        int flags;
        if (st.isDirectory()) {
            flags = Posix.O_RDONLY | Posix.O_DIRECTORY;
        } else if (st.isRegular()) {
            // if a device was swapped in for the file meanwhile, neither wait on it nor let a tty adopt the brick
            flags = accessFlags | Posix.O_NONBLOCK | Posix.O_NOCTTY;
        } else {
            flags = Posix.O_PATH;
        }
        int fd = openNoatime(e.dir, e.name, flags | Posix.O_NOFOLLOW);
        if (fd < 0) {
            throw FopException.of(-fd, VolumePath.display(e.path));
        }
        if (st.isRegular()) {
            st = openedRegular(fd, e);
        }
        return new Inode(fd, st, true);
    }

    /**
     * The name may have been swapped between the look and the open: a device node put in a regular file's place
     * would be opened for data, and its data is a disk or memory outside the brick. Only the regular file looked
     * at is served; anything else there now is refused, and the descriptor closed unused.
     */
    private static Stat openedRegular(int fd, Entry e) {
        Stat opened;
        try {
            opened = Posix.statx(fd, "");
        } catch (FopException ex) {
            Posix.close(fd);
            throw FopException.of(ex.errno(), VolumePath.display(e.path));
        }
        if (!opened.isRegular()) {
            Posix.close(fd);
            throw new FopException(Errno.ESTALE, VolumePath.display(e.path) + ": replaced by another kind of file"
                    + " while being opened");
        }
        return opened;
    }

    /** Opens without updating atime where the brick may (it owns the file or is root), else plainly. */
    private static int openNoatime(int dir, String name, int flags) {
        if ((flags & Posix.O_PATH) != 0) {
            return Posix.tryOpenat(dir, name, flags, 0);
        }
        int fd = Posix.tryOpenat(dir, name, flags | Posix.O_NOATIME, 0);
        return fd == -Errno.EPERM ? Posix.tryOpenat(dir, name, flags, 0) : fd;
    }

    private static boolean xattrCapable(Stat st) {
        return st.isRegular() || st.isDirectory();
    }

    private static Attr attr(Stat st, Gfid gfid) {
        return new Attr(gfid, st.mode(), st.nlink(), st.uid(), st.gid(), st.rdev(), st.size(), st.blocks(),
                st.blksize(), st.ino(), st.atime(), st.mtime(), st.ctime());
    }

    private Gfid gfidAt(Entry e) {
        try (Inode i = open(e, Posix.O_RDONLY)) {
            return i.gfid();
        }
    }

    /** The gfid the request names must still be the one at the path; a mismatch means ours is gone. */
    private static void expect(Inode i, Gfid expected, String path) {
        if (expected == null) {
            return;
        }
        Gfid actual = i.gfid();
        if (actual != null && !actual.equals(expected)) {
            throw new FopException(Errno.ESTALE, VolumePath.display(path) + ": " + Errno.describe(Errno.ESTALE)
                    + " (now " + actual + ", expected " + expected + ")");
        }
    }

    private void ownAndMode(int fd, int mode, int uid, int gid, boolean forceMode) {
        if (uid != euid || gid != egid) {
            Posix.fchownat(fd, "", uid, gid);
            forceMode = forceMode || (mode & 06000) != 0; // chown clears set-id bits
        }
        if (forceMode || (mode & umask & 07777) != 0) {
            Posix.fchmod(fd, mode & 07777);
        }
    }

    // ------------------------------------------------------------------------------------------------ lookups

    public Looked lookup(String path, boolean withChangelog, boolean withParent) {
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            Gfid g = i.gfid();
            Changelog cl = withChangelog && xattrCapable(i.stat) ? changelog.read(i.fd) : Changelog.CLEAN;
            Changelog parent = withParent && !e.isRoot() ? changelog.read(e.dir) : null;
            return new Looked(attr(i.stat, g), cl, parent);
        }
    }

    public Attr stat(String path) {
        return lookup(path, false, false).attr();
    }

    public String readlink(String path) {
        try (Entry e = entry(path, false)) {
            return Posix.readlinkat(e.dir, e.name);
        } catch (FopException ex) {
            throw FopException.of(ex.errno(), VolumePath.display(path));
        }
    }

    // ------------------------------------------------------------------------------------------ entry creation

    public Attr create(String path, Gfid gfid, int mode, int uid, int gid, byte[] data, boolean sync,
            Timespec time) {
        requireGfid(gfid, path);
        try (Entry e = entry(path, true)) {
            requireName(e);
            int fd = dirTimes.change(e.dir, time, false, () -> Posix.tryOpenat(e.dir, e.name, Posix.O_CREAT
                    | Posix.O_EXCL | Posix.O_RDWR | Posix.O_NOFOLLOW, mode & 07777));
            if (fd == -Errno.EEXIST) {
                return replayOrExists(e, gfid);
            }
            if (fd < 0) {
                throw FopException.of(-fd, VolumePath.display(path));
            }
            try {
                Posix.fsetxattr(fd, XattrNames.GFID, gfid.toBytes(), 0);
                ownAndMode(fd, mode, uid, gid, false);
                if (data != null && data.length > 0 && !arbiter) {
                    Posix.pwriteFully(fd, data, data.length, 0);
                }
                stamp(fd, "", time, time);
                if (sync) {
                    Posix.fsync(fd, false);
                }
                return attr(Posix.statx(fd, ""), gfid);
            } catch (FopException ex) {
                // a create that failed half-way (ENOSPC while writing) leaves nothing behind
                dirTimes.change(e.dir, null, true, () -> Posix.tryUnlinkat(e.dir, e.name, false));
                throw FopException.of(ex.errno(), VolumePath.display(path));
            } finally {
                Posix.close(fd);
            }
        }
    }

    /** Sets both times of a new inode (or mtime alone) to the client's time; nothing without one. */
    private static void stamp(int dir, String name, Timespec atime, Timespec mtime) {
        if (mtime != null) {
            Posix.utimensat(dir, name, atime, false, mtime, false);
        }
    }

    /**
     * A regular file or directory is made with its gfid, so a request without one is refused before anything
     * exists: setting a null gfid failed only after the inode was made, and left it behind without one.
     */
    private static void requireGfid(Gfid gfid, String path) {
        if (gfid == null) {
            throw new FopException(Errno.EINVAL, VolumePath.display(path) + ": a gfid is required");
        }
    }

    private static void requireName(Entry e) {
        if (e.isRoot()) {
            throw new FopException(Errno.EEXIST, "/: " + Errno.describe(Errno.EEXIST));
        }
    }

    /** The name exists: success if it is the very inode this (replayed) request created, else EEXIST. */
    private Attr replayOrExists(Entry e, Gfid gfid) {
        try (Inode i = open(e, Posix.O_RDONLY)) {
            Gfid existing = i.gfid();
            if (gfid != null && gfid.equals(existing)) {
                return attr(i.stat, existing);
            }
            throw new ExistsException(e.path, existing);
        }
    }

    public Attr mkdir(String path, Gfid gfid, int mode, int uid, int gid, Timespec time) {
        requireGfid(gfid, path);
        try (Entry e = entry(path, true)) {
            requireName(e);
            try {
                dirTimes.change(e.dir, time, false, () -> {
                    Posix.mkdirat(e.dir, e.name, mode & 07777);
                    return null;
                });
            } catch (FopException ex) {
                if (ex.errno() == Errno.EEXIST) {
                    return replayOrExists(e, gfid);
                }
                throw FopException.of(ex.errno(), VolumePath.display(path));
            }
            int fd = Posix.openat(e.dir, e.name, Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_NOFOLLOW, 0);
            try {
                Posix.fsetxattr(fd, XattrNames.GFID, gfid.toBytes(), 0);
                ownAndMode(fd, mode, uid, gid, false);
                stamp(fd, "", time, time);
                return attr(Posix.statx(fd, ""), gfid);
            } finally {
                Posix.close(fd);
            }
        }
    }

    /** mknod for fifos, sockets and devices; S_IFREG creates an empty regular file with a gfid. */
    public Attr mknod(String path, Gfid gfid, int mode, long rdev, int uid, int gid, Timespec time) {
        int type = mode & FileType.S_IFMT;
        if (type == FileType.REGULAR.bits() || type == 0) {
            return create(path, gfid, mode & 07777, uid, gid, null, false, time);
        }
        if (type == FileType.DIRECTORY.bits() || type == FileType.SYMLINK.bits()) {
            throw new FopException(Errno.EINVAL, VolumePath.display(path) + ": mknod cannot make that file type");
        }
        try (Entry e = entry(path, true)) {
            requireName(e);
            try {
                dirTimes.change(e.dir, time, false, () -> {
                    Posix.mknodat(e.dir, e.name, mode, rdev);
                    return null;
                });
            } catch (FopException ex) {
                if (ex.errno() == Errno.EEXIST) {
                    Stat st = statOf(e);
                    if ((st.mode() & FileType.S_IFMT) == type && st.rdev() == rdev) {
                        return attr(st, null); // replayed: the same special file is already there
                    }
                    throw new ExistsException(e.path, null);
                }
                throw FopException.of(ex.errno(), VolumePath.display(path));
            }
            chownSpecial(e, uid, gid);
            if ((mode & umask & 07777) != 0 || (mode & 06000) != 0) {
                try (Inode i = open(e, Posix.O_RDONLY)) {
                    Posix.chmodByDescriptor(i.fd, mode & 07777);
                }
            }
            stamp(e.dir, e.name, time, time);
            return attr(statOf(e), null);
        }
    }

    private void chownSpecial(Entry e, int uid, int gid) {
        if (uid != euid || gid != egid) {
            Posix.fchownat(e.dir, e.name, uid, gid);
        }
    }

    public Attr symlink(String path, String target, int uid, int gid, Timespec time) {
        if (target.isEmpty()) {
            throw FopException.of(Errno.ENOENT, VolumePath.display(path));
        }
        if (target.indexOf('\0') >= 0) {
            throw new FopException(Errno.EINVAL, VolumePath.display(path) + ": symlink target contains NUL");
        }
        try (Entry e = entry(path, true)) {
            requireName(e);
            try {
                dirTimes.change(e.dir, time, false, () -> {
                    Posix.symlinkat(target, e.dir, e.name);
                    return null;
                });
            } catch (FopException ex) {
                if (ex.errno() == Errno.EEXIST) {
                    Stat st = statOf(e);
                    if ((st.mode() & FileType.S_IFMT) == FileType.SYMLINK.bits()
                            && target.equals(Posix.readlinkat(e.dir, e.name))) {
                        return attr(st, null);
                    }
                    throw new ExistsException(e.path, gfidAtOrNull(e));
                }
                throw FopException.of(ex.errno(), VolumePath.display(path));
            }
            chownSpecial(e, uid, gid);
            stamp(e.dir, e.name, time, time);
            return attr(statOf(e), null);
        }
    }

    private Gfid gfidAtOrNull(Entry e) {
        try {
            return gfidAt(e);
        } catch (FopException ex) {
            return null;
        }
    }

    public Attr link(String existing, String path, Gfid gfid, Timespec time) {
        try (Entry from = entry(existing, false); Entry to = entry(path, true)) {
            requireName(to);
            try (Inode i = open(from, Posix.O_RDONLY)) {
                if (i.stat.isDirectory()) {
                    throw FopException.of(Errno.EPERM, VolumePath.display(existing));
                }
                expect(i, gfid, existing);
            }
            try {
                dirTimes.change(to.dir, time, false, () -> {
                    Posix.linkat(from.dir, from.name, to.dir, to.name);
                    return null;
                });
            } catch (FopException ex) {
                if (ex.errno() == Errno.EEXIST) {
                    return replayOrExists(to, gfid);
                }
                throw FopException.of(ex.errno(), VolumePath.display(path));
            }
            try (Inode i = open(to, Posix.O_RDONLY)) {
                return attr(i.stat, i.gfid());
            }
        }
    }

    // ------------------------------------------------------------------------------------------ entry removal

    /** Removes a non-directory; with a gfid, only if the name still holds that inode. Returns its gfid. */
    public Gfid unlink(String path, Gfid gfid, Timespec time) {
        return unlink(path, gfid, time, false);
    }

    private Gfid unlink(String path, Gfid gfid, Timespec time, boolean heal) {
        try (Entry e = entry(path, true)) {
            requireName(e);
            Gfid actual;
            int nlink;
            try (Inode i = open(e, Posix.O_RDONLY)) {
                if (i.stat.isDirectory()) {
                    throw FopException.of(Errno.EISDIR, VolumePath.display(path));
                }
                expectOrGone(i, gfid, path);
                actual = i.gfid();
                nlink = i.stat.nlink();
            }
            int err = dirTimes.change(e.dir, time, heal, () -> Posix.tryUnlinkat(e.dir, e.name, false));
            if (err != 0) {
                throw FopException.of(err, VolumePath.display(path));
            }
            if (nlink <= 1) {
                forget(actual);
            }
            return actual;
        }
    }

    /** A conditional removal whose inode was replaced meanwhile reports ENOENT: the one it meant is gone. */
    private static void expectOrGone(Inode i, Gfid expected, String path) {
        try {
            expect(i, expected, path);
        } catch (FopException ex) {
            throw FopException.of(Errno.ENOENT, VolumePath.display(path));
        }
    }

    private void forget(Gfid gfid) {
        if (gfid != null) {
            forgetIndex(gfid);
        }
    }

    public Gfid rmdir(String path, Gfid gfid, Timespec time) {
        return rmdir(path, gfid, time, false);
    }

    private Gfid rmdir(String path, Gfid gfid, Timespec time, boolean heal) {
        try (Entry e = entry(path, true)) {
            if (e.isRoot()) {
                throw FopException.of(Errno.EBUSY, "/");
            }
            Gfid actual;
            try (Inode i = open(e, Posix.O_RDONLY)) {
                if (!i.stat.isDirectory()) {
                    throw FopException.of(Errno.ENOTDIR, VolumePath.display(path));
                }
                expectOrGone(i, gfid, path);
                actual = i.gfid();
            }
            int err = dirTimes.change(e.dir, time, heal, () -> Posix.tryUnlinkat(e.dir, e.name, true));
            if (err != 0) {
                throw FopException.of(err, VolumePath.display(path));
            }
            forget(actual);
            return actual;
        }
    }

    /**
     * Removes a speculative create after a lease conflict: only the inode that still has this gfid, which only the
     * creating client knows and which it never acknowledged, so nothing anyone relies on is lost. Returns whether
     * something was removed.
     */
    public boolean undo(String path, Gfid gfid) {
        try (Entry e = entry(path, true)) {
            Stat st = Posix.statxOrNull(e.dir, e.name);
            if (st == null) {
                return false;
            }
            try (Inode i = open(e, Posix.O_RDONLY)) {
                Gfid actual = i.gfid();
                if (gfid != null && !gfid.equals(actual)) {
                    return false;
                }
            }
            return dirTimes.change(e.dir, null, true, () -> Posix.tryUnlinkat(e.dir, e.name, st.isDirectory())) == 0;
        }
    }

    public Attr rename(String from, String to, Gfid gfid, int flags, Timespec time) {
        try (Entry src = entry(from, true); Entry dst = entry(to, true)) {
            if (src.isRoot() || dst.isRoot()) {
                throw FopException.of(Errno.EBUSY, "/");
            }
            Stat st = Posix.statxOrNull(src.dir, src.name);
            if (st == null) {
                // replayed: the entry already moved
                Stat there = Posix.statxOrNull(dst.dir, dst.name);
                if (there != null && gfid != null && gfid.equals(gfidAtOrNull(dst))) {
                    return attr(there, gfid);
                }
                throw FopException.of(Errno.ENOENT, VolumePath.display(from));
            }
            if (gfid != null) {
                try (Inode i = open(src, Posix.O_RDONLY)) {
                    expectOrGone(i, gfid, from);
                }
            }
            Gfid replaced = null;
            if ((flags & Posix.RENAME_EXCHANGE) == 0) {
                Stat target = Posix.statxOrNull(dst.dir, dst.name);
                if (target != null && target.nlink() <= 1 + (target.isDirectory() ? 1 : 0)) {
                    replaced = gfidAtOrNull(dst);
                }
            }
            try {
                dirTimes.change(src.dir, dst.dir, time, false, () -> {
                    Posix.renameat2(src.dir, src.name, dst.dir, dst.name, flags);
                    return null;
                });
            } catch (FopException ex) {
                throw FopException.of(ex.errno(), VolumePath.display(ex.errno() == Errno.EEXIST
                        || ex.errno() == Errno.ENOTEMPTY || ex.errno() == Errno.EISDIR ? to : from));
            }
            if (replaced != null && !replaced.equals(gfid)) {
                forget(replaced);
            }
            try (Inode i = open(dst, Posix.O_RDONLY)) {
                Gfid moved = i.gfid();
                root.index().moved(moved, dst.path);
                return attr(i.stat, moved);
            }
        }
    }

    // -------------------------------------------------------------------------------------------------- data

    public byte[] read(String path, Gfid gfid, long offset, int length) {
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            requireRegular(i, path);
            expect(i, gfid, path);
            return readFully(i.fd, offset, readable(i, offset, length));
        }
    }

    /** Read plus the attributes and changelog, for AFR's read-with-lookup. */
    public record ReadResult(byte[] data, Looked looked) {
    }

    public ReadResult readWithLookup(String path, Gfid gfid, long offset, int length) {
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            requireRegular(i, path);
            expect(i, gfid, path);
            byte[] data = readFully(i.fd, offset, readable(i, offset, length));
            Looked l = new Looked(attr(i.stat, i.gfid()), changelog.read(i.fd),
                    e.isRoot() ? null : changelog.read(e.dir));
            return new ReadResult(data, l);
        }
    }

    /**
     * How much a read of length at offset can return: at most what the file holds there. The read buffer is
     * allocated at that size, and a client's length is only a claim: four bytes on the wire asking for 2 GiB of a
     * 10-byte file made the brick allocate 2 GiB (or fail with a negative size).
     */
    private static int readable(Inode i, long offset, int length) {
        if (offset < 0 || length < 0) {
            throw new FopException(Errno.EINVAL, "read of " + Integer.toUnsignedString(length) + " bytes at "
                    + Long.toUnsignedString(offset));
        }
        return (int) Math.min(length, Math.max(0, i.stat.size() - offset));
    }

    private static byte[] readFully(int fd, long offset, int length) {
        byte[] buf = new byte[length];
        int done = 0;
        while (done < length) {
            int n;
            if (done == 0) {
                n = Posix.pread(fd, buf, length, offset);
            } else {
                byte[] rest = new byte[length - done];
                n = Posix.pread(fd, rest, rest.length, offset + done);
                System.arraycopy(rest, 0, buf, done, n);
            }
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done == length ? buf : Arrays.copyOf(buf, done);
    }

    private static void requireRegular(Inode i, String path) {
        if (i.stat.isDirectory()) {
            throw FopException.of(Errno.EISDIR, VolumePath.display(path));
        }
        if ((i.stat.mode() & FileType.S_IFMT) == FileType.SYMLINK.bits()) {
            // what open(O_NOFOLLOW) says: a brick never follows a symlink on a client's behalf
            throw FopException.of(Errno.ELOOP, VolumePath.display(path));
        }
        if (!i.stat.isRegular()) {
            throw FopException.of(Errno.EINVAL, VolumePath.display(path));
        }
    }

    /** Writes data at offset; truncate >= 0 then cuts the file to that size (whole-file overwrite). */
    public Attr write(String path, Gfid gfid, long offset, ByteBuffer data, long truncate, boolean sync,
            Timespec time) {
        try (Entry e = entry(path, true); Inode i = open(e, Posix.O_WRONLY)) {
            requireRegular(i, path);
            expect(i, gfid, path);
            int length = data.remaining();
            try {
                if (length > 0 && !arbiter) {
                    Posix.pwriteFully(i.fd, data, offset);
                    startWritebackOfFilledChunk(i.fd, offset, length);
                }
                if (truncate >= 0 && !arbiter) {
                    Posix.ftruncate(i.fd, truncate);
                }
                if (length > 0 || truncate >= 0) {
                    stamp(i.fd, "", null, time); // the arbiter too: it keeps the same metadata without the data
                }
                if (sync) {
                    Posix.fsync(i.fd, false);
                }
            } catch (FopException ex) {
                throw FopException.of(ex.errno(), VolumePath.display(path));
            }
            return attr(Posix.statx(i.fd, ""), i.gfid());
        }
    }

    /**
     * A write that reaches into the next WRITEBACK_CHUNK of its file starts the chunk before on its way to disk. A
     * sequential writer's fsync otherwise finds the whole file dirty and waits for all of it, with every replica on
     * the disk flushing at once; this way the disk works while the writer still writes (databases do the same, e.g.
     * PostgreSQL's backend_flush_after). Stateless: a random writer seldom crosses a chunk's end, and starting a
     * clean chunk costs nothing.
     */
    private static void startWritebackOfFilledChunk(int fd, long offset, int length) {
        long chunk = (offset + length) / WRITEBACK_CHUNK;
        if (chunk > offset / WRITEBACK_CHUNK) {
            Posix.startWriteback(fd, (chunk - 1) * WRITEBACK_CHUNK, WRITEBACK_CHUNK);
        }
    }

    public Attr truncate(String path, Gfid gfid, long size, Timespec time) {
        return write(path, gfid, 0, ByteBuffer.allocate(0), size, false, time);
    }

    public void fsync(String path, Gfid gfid, boolean datasync) {
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            expect(i, gfid, path);
            if (xattrCapable(i.stat)) {
                Posix.fsync(i.fd, datasync);
            }
        }
    }

    public Attr fallocate(String path, Gfid gfid, int mode, long offset, long length, Timespec time) {
        try (Entry e = entry(path, true); Inode i = open(e, Posix.O_WRONLY)) {
            requireRegular(i, path);
            expect(i, gfid, path);
            try {
                if (!arbiter) {
                    Posix.fallocate(i.fd, mode, offset, length);
                }
            } catch (FopException ex) {
                throw FopException.of(ex.errno(), VolumePath.display(path));
            }
            Stat after = Posix.statx(i.fd, "");
            if (time != null && !after.mtime().equals(i.stat.mtime())) {
                stamp(i.fd, "", null, time);
                after = Posix.statx(i.fd, "");
            }
            return attr(after, i.gfid());
        }
    }

    // ------------------------------------------------------------------------------------------------ metadata

    public Attr setattr(String path, Gfid gfid, SetAttr s, Timespec time) {
        if (time != null && (s.atimeNow() || s.mtimeNow() || (s.size() != null && s.mtime() == null))) {
            // "now" is the client's now, on every brick; a truncate stamps mtime as the kernel would
            s = new SetAttr(s.mode(), s.uid(), s.gid(), s.size(), s.atimeNow() ? time : s.atime(),
                    s.mtimeNow() || s.size() != null && s.mtime() == null ? time : s.mtime(), false, false);
        }
        try (Entry e = entry(path, true); Inode i = open(e, s.size() != null ? Posix.O_WRONLY : Posix.O_RDONLY)) {
            expect(i, gfid, path);
            // every refusal before the first change: checked between the steps, a refused setattr kept the owner
            // and mode it had already set (a size on a directory: EISDIR after the chmod)
            if (s.size() != null) {
                if (!xattrCapable(i.stat)) {
                    throw FopException.of(Errno.EINVAL, VolumePath.display(path));
                }
                requireRegular(i, path);
                if (s.size() < 0) {
                    throw FopException.of(Errno.EINVAL, VolumePath.display(path)); // beyond 2^63-1 on the wire
                }
            }
            if (s.mode() != null && (i.stat.mode() & FileType.S_IFMT) == FileType.SYMLINK.bits()) {
                throw FopException.of(Errno.EOPNOTSUPP, VolumePath.display(path));
            }
            try {
                if (xattrCapable(i.stat)) {
                    // the size first: it is what can still fail here (EFBIG), and owner and mode must not have
                    // changed when it does
                    if (s.size() != null && !arbiter) {
                        Posix.ftruncate(i.fd, s.size());
                    }
                    if (s.uid() != null || s.gid() != null) {
                        Posix.fchownat(i.fd, "", s.uid() == null ? -1 : s.uid(), s.gid() == null ? -1 : s.gid());
                    }
                    if (s.mode() != null) {
                        Posix.fchmod(i.fd, s.mode() & 07777);
                    }
                    if (s.atime() != null || s.mtime() != null || s.atimeNow() || s.mtimeNow()) {
                        Posix.utimensat(i.fd, "", s.atime(), s.atimeNow(), s.mtime(), s.mtimeNow());
                    }
                } else {
                    if (s.uid() != null || s.gid() != null) {
                        Posix.fchownat(e.dir, e.name, s.uid() == null ? -1 : s.uid(), s.gid() == null ? -1 : s.gid());
                    }
                    if (s.mode() != null) {
                        Posix.chmodByDescriptor(i.fd, s.mode() & 07777);
                    }
                    if (s.atime() != null || s.mtime() != null || s.atimeNow() || s.mtimeNow()) {
                        Posix.utimensat(e.dir, e.name, s.atime(), s.atimeNow(), s.mtime(), s.mtimeNow());
                    }
                }
            } catch (FopException ex) {
                throw FopException.of(ex.errno(), VolumePath.display(path));
            }
            return attr(e.isRoot() ? Posix.statx(root.fd(), "") : Posix.statx(e.dir, e.name), i.gfid());
        }
    }

    public byte[] getxattr(String path, String name) {
        if (XattrNames.isInternal(name)) {
            throw FopException.of(Errno.ENODATA, VolumePath.display(path));
        }
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            byte[] v = xattrCapable(i.stat) ? Posix.fgetxattr(i.fd, name) : Posix.getxattrByDescriptor(i.fd, name);
            if (v == null) {
                throw FopException.of(Errno.ENODATA, VolumePath.display(path));
            }
            return v;
        } catch (FopException ex) {
            throw FopException.of(ex.errno(), VolumePath.display(path));
        }
    }

    public void setxattr(String path, String name, byte[] value, int flags) {
        if (XattrNames.isInternal(name)) {
            throw new FopException(Errno.EPERM, VolumePath.display(path) + ": " + name + " is reserved");
        }
        try (Entry e = entry(path, true); Inode i = open(e, Posix.O_RDONLY)) {
            if (xattrCapable(i.stat)) {
                Posix.fsetxattr(i.fd, name, value, flags);
            } else {
                Posix.setxattrByDescriptor(i.fd, name, value, flags);
            }
        } catch (FopException ex) {
            throw FopException.of(ex.errno(), VolumePath.display(path));
        }
    }

    public List<String> listxattr(String path) {
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            List<String> all = xattrCapable(i.stat) ? Posix.flistxattr(i.fd) : Posix.listxattrByDescriptor(i.fd);
            List<String> visible = new ArrayList<>(all.size());
            for (String n : all) {
                if (!XattrNames.isInternal(n)) {
                    visible.add(n);
                }
            }
            return visible;
        }
    }

    public void removexattr(String path, String name) {
        if (XattrNames.isInternal(name)) {
            throw new FopException(Errno.EPERM, VolumePath.display(path) + ": " + name + " is reserved");
        }
        try (Entry e = entry(path, true); Inode i = open(e, Posix.O_RDONLY)) {
            boolean removed = xattrCapable(i.stat) ? Posix.fremovexattr(i.fd, name)
                    : Posix.removexattrByDescriptor(i.fd, name);
            if (!removed) {
                throw FopException.of(Errno.ENODATA, VolumePath.display(path));
            }
        } catch (FopException ex) {
            throw FopException.of(ex.errno(), VolumePath.display(path));
        }
    }

    /** Gives an inode created outside camelfs the volume-wide gfid; EEXIST if it already has another. */
    public Attr setGfid(String path, Gfid gfid) {
        requireGfid(gfid, path);
        try (Entry e = entry(path, true); Inode i = open(e, Posix.O_RDONLY)) {
            if (!xattrCapable(i.stat)) {
                return attr(i.stat, null);
            }
            Gfid have = i.gfid();
            if (have == null) {
                Posix.fsetxattr(i.fd, XattrNames.GFID, gfid.toBytes(), Posix.XATTR_CREATE);
                return attr(i.stat, gfid);
            }
            if (!have.equals(gfid)) {
                throw new ExistsException(e.path, have);
            }
            return attr(i.stat, have);
        }
    }

    public StatFs statfs() {
        return Posix.fstatvfs(root.fd());
    }

    // ------------------------------------------------------------------------------------------------ listing

    public DirPage readdir(String path, long cookie, int max, boolean withStat) {
        String p = checked(path, false);
        int fd;
        try {
            fd = openDirectory(p);
        } catch (FopException ex) {
            throw resolveError(ex, p);
        }
        Pointer buf = Posix.allocate(DIRENT_BUFFER);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<DirEntry> out = new ArrayList<>();
        try {
            if (cookie != 0) {
                Posix.lseek(fd, cookie);
            }
            while (out.size() < max) {
                int n = Posix.getdents(fd, buf, DIRENT_BUFFER);
                if (n == 0) {
                    return new DirPage(out, true);
                }
                int pos = 0;
                while (pos < n) {
                    long off = buf.getLong(pos + 8);
                    int reclen = buf.getShort(pos + 16) & 0xffff;
                    int dtype = buf.getByte(pos + 18) & 0xff;
                    int nameLen = 0;
                    while (buf.getByte(pos + 19 + nameLen) != 0) {
                        nameLen++;
                    }
                    byte[] raw = new byte[nameLen];
                    buf.get(pos + 19, raw, 0, nameLen);
                    pos += reclen;
                    String name = decode(utf8, raw);
                    if (name == null || name.equals(".") || name.equals("..")
                            || (p.isEmpty() && name.equals(BrickRoot.META))) {
                        cookie = off;
                        continue;
                    }
                    Attr a = null;
                    int type = Posix.typeOfDirent(dtype);
                    if (withStat) {
                        a = statEntry(fd, name);
                        if (a == null) {
                            cookie = off;
                            continue; // removed while listing
                        }
                        type = a.mode() & FileType.S_IFMT;
                    }
                    out.add(new DirEntry(name, type == 0 ? null : FileType.ofMode(type), off, a,
                            withStat && type == FileType.SYMLINK.bits() ? readlinkOrNull(fd, name) : null));
                    cookie = off;
                    if (out.size() >= max) {
                        // the next page starts after this entry (its d_off), wherever it was in the batch
                        return new DirPage(out, false);
                    }
                }
            }
            return new DirPage(out, false);
        } finally {
            Posix.close(fd);
        }
    }

    /** A directory beneath the root, opened for listing without touching its atime where allowed. */
    private int openDirectory(String p) {
        String rel = p.isEmpty() ? "." : p;
        int flags = Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_CLOEXEC;
        try {
            return Posix.openat2(root.fd(), rel, flags | Posix.O_NOATIME, 0, RESOLVE);
        } catch (FopException ex) {
            if (ex.errno() != Errno.EPERM) {
                throw ex;
            }
            return Posix.openat2(root.fd(), rel, flags, 0, RESOLVE);
        }
    }

    private static String decode(CharsetDecoder utf8, byte[] raw) {
        try {
            CharBuffer cb = utf8.reset().decode(ByteBuffer.wrap(raw));
            return cb.toString();
        } catch (CharacterCodingException e) {
            return null; // a name camelfs paths cannot express (not UTF-8) is not listed
        }
    }

    private static String readlinkOrNull(int dirFd, String name) {
        try {
            return Posix.readlinkat(dirFd, name);
        } catch (FopException gone) {
            return null;
        }
    }

    private static Attr statEntry(int dirFd, String name) {
        Stat st = Posix.statxOrNull(dirFd, name);
        if (st == null) {
            return null;
        }
        Gfid g = null;
        if (st.isRegular() || st.isDirectory()) {
            int fd = Posix.tryOpenat(dirFd, name, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_NONBLOCK, 0);
            if (fd >= 0) {
                try {
                    g = Gfid.ofNullable(Posix.fgetxattr(fd, XattrNames.GFID));
                } finally {
                    Posix.close(fd);
                }
            }
        }
        return attr(st, g);
    }

    // ------------------------------------------------------------------------------------------------- heal

    public boolean isArbiter() {
        return arbiter;
    }

    /** One inode as a heal source has it: attributes, changelog, image, and the data when it was small enough. */
    public record Fetched(Attr attr, Changelog changelog, InodeImage image, byte[] data) {
    }

    /** Everything a sink needs to recreate this inode; data only for a regular file of at most maxData bytes. */
    public Fetched fetch(String path, Gfid gfid, int maxData) {
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            expect(i, gfid, path);
            Stat st = i.stat;
            boolean capable = xattrCapable(st);
            String target = st.type() == FileType.SYMLINK.bits() ? Posix.readlinkat(e.dir, e.name) : null;
            byte[] data = null;
            if (st.isRegular() && !arbiter && st.size() <= maxData) {
                data = readFully(i.fd, 0, (int) st.size());
            }
            InodeImage img = new InodeImage(st.mode(), st.uid(), st.gid(), st.rdev(), st.atime(), st.mtime(), target,
                    capable ? userXattrs(i.fd) : null);
            return new Fetched(attr(st, i.gfid()), capable ? changelog.read(i.fd) : Changelog.CLEAN, img, data);
        }
    }

    /** The inode's user xattrs, without camelfs's own. */
    private static Map<String, byte[]> userXattrs(int fd) {
        Map<String, byte[]> out = new TreeMap<>();
        for (String n : Posix.flistxattr(fd)) {
            if (n.startsWith("user.") && !XattrNames.isInternal(n)) {
                byte[] v = Posix.fgetxattr(fd, n);
                if (v != null) {
                    out.put(n, v);
                }
            }
        }
        return out;
    }

    /**
     * Recreates an inode as the source has it (see the Install message); with linkTo, a hard link to the inode at
     * that path, which must carry gfid. The parent directory's times stay as they were.
     */
    public Attr install(String path, Gfid gfid, InodeImage img, String linkTo, byte[] data, boolean sync) {
        return install(path, gfid, img, linkTo, data, sync, InstallMode.ANY);
    }

    /** What an install may find at its path (see the Install message's existing and fresh). */
    public enum InstallMode {
        /** Nothing (the inode is created), or the very inode (a replayed install): both fine. */
        ANY,
        /** Only the inode already there with the gfid is rewritten: a name that is gone is not brought back. */
        EXISTING,
        /** The name must not exist yet: whatever a sink got meanwhile is not overwritten. */
        FRESH
    }

    public Attr install(String path, Gfid gfid, InodeImage img, String linkTo, byte[] data, boolean sync,
            InstallMode mode) {
        try (Entry e = entry(path, true)) {
            requireName(e);
            int type = img.mode() & FileType.S_IFMT;
            Stat existing = Posix.statxOrNull(e.dir, e.name);
            if (mode == InstallMode.EXISTING) {
                if (existing == null) {
                    throw FopException.of(Errno.ENOENT, VolumePath.display(path));
                }
                Gfid have = xattrCapable(existing) ? gfidAtOrNull(e) : null;
                if (gfid == null || !gfid.equals(have) || (existing.mode() & FileType.S_IFMT) != type) {
                    throw FopException.of(Errno.ESTALE, VolumePath.display(path));
                }
            } else if (mode == InstallMode.FRESH && existing != null) {
                throw new ExistsException(e.path, xattrCapable(existing) ? gfidAtOrNull(e) : null);
            }
            if (linkTo != null) {
                return installLink(e, gfid, linkTo);
            }
            if (existing == null && type == FileType.REGULAR.bits()) {
                return installFile(e, gfid, img, data, sync);
            }
            boolean created = existing == null;
            if (existing != null) {
                requireSame(e, existing, type, gfid, img);
            } else {
                dirTimes.change(e.dir, null, true, () -> {
                    createBare(e, type, gfid, img);
                    return null;
                });
            }
            try {
                if (type == FileType.REGULAR.bits() && (data != null || sync)) {
                    try (Inode i = open(e, Posix.O_WRONLY)) {
                        if (data != null && !arbiter) {
                            Posix.pwriteFully(i.fd, data, data.length, 0);
                            Posix.ftruncate(i.fd, data.length);
                        }
                        if (sync) {
                            Posix.fsync(i.fd, false);
                        }
                    }
                }
                applyImage(e, img, true, false);
            } catch (FopException ex) {
                if (created) {
                    // an install that failed half-way (ENOSPC) leaves nothing the next heal could mistake for done
                    dirTimes.change(e.dir, null, true, () -> Posix.tryUnlinkat(e.dir, e.name,
                            type == FileType.DIRECTORY.bits()));
                }
                throw FopException.of(ex.errno(), VolumePath.display(path));
            }
            return attr(statOf(e), xattrCapable(statOf(e)) ? gfid : null);
        }
    }

    /** The common case of an install, a new regular file, done on one descriptor: few system calls. */
    private Attr installFile(Entry e, Gfid gfid, InodeImage img, byte[] data, boolean sync) {
        int fd = dirTimes.change(e.dir, null, true, () -> Posix.tryOpenat(e.dir, e.name, Posix.O_CREAT
                | Posix.O_EXCL | Posix.O_RDWR | Posix.O_NOFOLLOW, 0600));
        if (fd < 0) {
            if (fd == -Errno.EEXIST) {
                throw new ExistsException(e.path, gfidAtOrNull(e));
            }
            throw FopException.of(-fd, VolumePath.display(e.path));
        }
        try {
            Posix.fsetxattr(fd, XattrNames.GFID, gfid.toBytes(), 0);
            for (Map.Entry<String, byte[]> x : img.xattrs() == null ? Map.<String, byte[]>of().entrySet()
                    : img.xattrs().entrySet()) {
                Posix.fsetxattr(fd, x.getKey(), x.getValue(), 0);
            }
            if (data != null && data.length > 0 && !arbiter) {
                Posix.pwriteFully(fd, data, data.length, 0);
            }
            if (img.uid() != euid || img.gid() != egid) {
                Posix.fchownat(fd, "", img.uid(), img.gid());
            }
            Posix.fchmod(fd, img.mode() & 07777);
            Posix.utimensat(fd, "", img.atime(), false, img.mtime(), false);
            if (sync) {
                Posix.fsync(fd, false);
            }
            return attr(Posix.statx(fd, ""), gfid);
        } catch (FopException ex) {
            dirTimes.change(e.dir, null, true, () -> Posix.tryUnlinkat(e.dir, e.name, false));
            throw FopException.of(ex.errno(), VolumePath.display(e.path));
        } finally {
            Posix.close(fd);
        }
    }

    private Attr installLink(Entry e, Gfid gfid, String linkTo) {
        try (Entry from = entry(linkTo, false)) {
            try (Inode i = open(from, Posix.O_RDONLY)) {
                Gfid have = i.gfid();
                if (i.stat.isDirectory() || gfid == null || !gfid.equals(have)) {
                    throw new FopException(Errno.ESTALE, VolumePath.display(linkTo) + ": not inode " + gfid);
                }
            }
            try {
                dirTimes.change(e.dir, null, true, () -> {
                    Posix.linkat(from.dir, from.name, e.dir, e.name);
                    return null;
                });
            } catch (FopException ex) {
                if (ex.errno() == Errno.EEXIST) {
                    return replayOrExists(e, gfid);
                }
                throw FopException.of(ex.errno(), VolumePath.display(e.path));
            }
            try (Inode i = open(e, Posix.O_RDONLY)) {
                return attr(i.stat, i.gfid());
            }
        }
    }

    /** A replayed install finds its inode in place; anything else at the name is a conflict the healer resolves. */
    private void requireSame(Entry e, Stat existing, int type, Gfid gfid, InodeImage img) {
        Gfid have = xattrCapable(existing) ? gfidAtOrNull(e) : null;
        boolean same = (existing.mode() & FileType.S_IFMT) == type
                && (gfid == null ? have == null : gfid.equals(have))
                && (type != FileType.SYMLINK.bits() || img.target().equals(Posix.readlinkat(e.dir, e.name)))
                && (type == FileType.REGULAR.bits() || type == FileType.DIRECTORY.bits()
                        || type == FileType.SYMLINK.bits() || existing.rdev() == img.rdev());
        if (!same) {
            throw new ExistsException(e.path, have);
        }
    }

    /** The inode with owner-only permissions until applyImage gives it the source's. */
    private void createBare(Entry e, int type, Gfid gfid, InodeImage img) {
        try {
            if (type == FileType.REGULAR.bits()) {
                int fd = Posix.openat(e.dir, e.name, Posix.O_CREAT | Posix.O_EXCL | Posix.O_RDWR | Posix.O_NOFOLLOW,
                        0600);
                try {
                    Posix.fsetxattr(fd, XattrNames.GFID, gfid.toBytes(), 0);
                } finally {
                    Posix.close(fd);
                }
            } else if (type == FileType.DIRECTORY.bits()) {
                Posix.mkdirat(e.dir, e.name, 0700);
                int fd = Posix.openat(e.dir, e.name, Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_NOFOLLOW, 0);
                try {
                    Posix.fsetxattr(fd, XattrNames.GFID, gfid.toBytes(), 0);
                } finally {
                    Posix.close(fd);
                }
            } else if (type == FileType.SYMLINK.bits()) {
                Posix.symlinkat(img.target(), e.dir, e.name);
            } else {
                Posix.mknodat(e.dir, e.name, type | 0600, img.rdev());
            }
        } catch (FopException ex) {
            if (ex.errno() == Errno.EEXIST) {
                throw new ExistsException(e.path, gfidAtOrNull(e));
            }
            throw FopException.of(ex.errno(), VolumePath.display(e.path));
        }
    }

    /**
     * Gives the inode at e the image's owner, mode and user xattrs (unless timesOnly) and times. With dirMax, a
     * directory keeps its own mtime when that is later (entry operations stamp directories with max()).
     */
    private void applyImage(Entry e, InodeImage img, boolean metadata, boolean dirMax) {
        Stat st = statOf(e);
        boolean symlink = st.type() == FileType.SYMLINK.bits();
        if (metadata) {
            boolean chown = st.uid() != img.uid() || st.gid() != img.gid();
            if (chown) {
                Posix.fchownat(e.dir, e.name, img.uid(), img.gid());
            }
            if (!symlink && (chown || (st.mode() & 07777) != (img.mode() & 07777))) {
                try (Inode i = open(e, Posix.O_RDONLY)) {
                    if (xattrCapable(i.stat)) {
                        Posix.fchmod(i.fd, img.mode() & 07777);
                    } else {
                        Posix.chmodByDescriptor(i.fd, img.mode() & 07777);
                    }
                }
            }
            if (img.xattrs() != null && xattrCapable(st)) {
                try (Inode i = open(e, Posix.O_RDONLY)) {
                    Map<String, byte[]> have = userXattrs(i.fd);
                    for (String n : have.keySet()) {
                        if (!img.xattrs().containsKey(n)) {
                            Posix.fremovexattr(i.fd, n);
                        }
                    }
                    for (Map.Entry<String, byte[]> x : img.xattrs().entrySet()) {
                        if (!Arrays.equals(have.get(x.getKey()), x.getValue())) {
                            Posix.fsetxattr(i.fd, x.getKey(), x.getValue(), 0);
                        }
                    }
                }
            }
        }
        Timespec mtime = img.mtime();
        if (dirMax && st.isDirectory() && st.mtime().compareTo(mtime) > 0) {
            mtime = st.mtime();
        }
        Posix.utimensat(e.dir, e.name, img.atime(), false, mtime, false);
    }

    /**
     * Metadata heal: the inode at path (which must carry gfid, if given) gets the image's owner, mode, user xattrs
     * and times; with timesOnly just the times, a directory keeping a later mtime of its own.
     */
    public Attr setMeta(String path, Gfid gfid, InodeImage img, boolean timesOnly) {
        try (Entry e = entry(path, true)) {
            try (Inode i = open(e, Posix.O_RDONLY)) {
                expect(i, gfid, path);
            }
            applyImage(e, img, !timesOnly, timesOnly);
            Stat st = statOf(e);
            return attr(st, xattrCapable(st) ? gfidAtOrNull(e) : null);
        } catch (FopException ex) {
            throw FopException.of(ex.errno(), VolumePath.display(path));
        }
    }

    /** SHA-256 of consecutive blocks (the last may be short); stops at end of file. */
    public List<byte[]> checksums(String path, Gfid gfid, int blockSize, long offset, int blocks) {
        if (blockSize <= 0 || blockSize > (8 << 20)) {
            throw new FopException(Errno.EINVAL, "block size " + blockSize + " outside 1..8 MiB");
        }
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            requireRegular(i, path);
            expect(i, gfid, path);
            Pointer buf = Posix.allocate(blockSize); // read and hashed in native memory: no copies
            List<byte[]> out = new ArrayList<>(blocks);
            for (int b = 0; b < blocks; b++) {
                long at = offset + (long) b * blockSize;
                int n = 0;
                while (n < blockSize) {
                    int got = Posix.pread(i.fd, buf.slice(n), blockSize - n, at + n);
                    if (got == 0) {
                        break;
                    }
                    n += got;
                }
                if (n == 0) {
                    break;
                }
                out.add(Sha256.digest(buf, n));
                if (n < blockSize) {
                    break;
                }
            }
            return out;
        }
    }

    /**
     * Heal is done: subtracts what it repaired from the inode's changelog and adds blame for bricks still away;
     * with sync, flushes the inode first. An inode that is gone only leaves the index.
     */
    public void settle(String path, Gfid gfid, Counters dirty,
            Map<Integer, Counters> pending, Map<Integer, Counters> blame,
            boolean sync) {
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            if (!xattrCapable(i.stat)) {
                return;
            }
            expect(i, gfid, path);
            if (sync) {
                Posix.fsync(i.fd, false);
            }
            changelog.settle(i.fd, i.gfid(), e.path, dirty, pending, blame);
        }
    }

    /** An index entry whose inode is no longer on this brick (a crash between removal and forgetting). */
    public void forgetIndex(Gfid gfid) {
        for (PendingIndex.Kind k : PendingIndex.Kind.values()) {
            root.index().remove(k, gfid);
        }
    }

    /** Records (kinds != 0) or clears that a healer found this inode in split-brain. */
    public void markSplitBrain(Gfid gfid, String path, int kinds) {
        if (kinds == 0) {
            root.index().remove(PendingIndex.Kind.SPLIT_BRAIN, gfid);
        } else {
            root.index().add(PendingIndex.Kind.SPLIT_BRAIN, gfid, VolumePath.normalize(path), kinds);
        }
    }

    /** The path of the inode with this gfid: the hint if it still holds it, else found by walking the brick. */
    public String locate(Gfid gfid, String hint) {
        if (gfid.equals(Gfid.ROOT)) {
            return "";
        }
        if (hint != null && !hint.isEmpty()) {
            try (Entry e = entry(hint, false); Inode i = open(e, Posix.O_RDONLY)) {
                if (gfid.equals(i.gfid())) {
                    return e.path;
                }
            } catch (FopException miss) {
                // moved or gone: walk
            }
        }
        String found = walkFor(gfid, "", 0);
        if (found == null) {
            throw new FopException(Errno.ENOENT, "gfid " + gfid + ": not on this brick");
        }
        return found;
    }

    private String walkFor(Gfid gfid, String dir, int depth) {
        if (depth > 256) {
            return null;
        }
        long cookie = 0;
        for (;;) {
            DirPage page = readdir(dir, cookie, 1000, true);
            for (DirEntry d : page.entries()) {
                cookie = d.cookie();
                String child = VolumePath.child(dir, d.name());
                if (d.attr() != null && gfid.equals(d.attr().gfid())) {
                    return child;
                }
                if (d.type() == FileType.DIRECTORY) {
                    String r = walkFor(gfid, child, depth + 1);
                    if (r != null) {
                        return r;
                    }
                }
            }
            if (page.eof() || page.entries().isEmpty()) {
                return null;
            }
        }
    }

    /**
     * Removes what the sources removed: a file, or a directory tree, never following a symlink; with a gfid, only
     * if the path still holds that inode. The parent directory's times stay as they were.
     */
    public void expunge(String path, Gfid gfid) {
        String p = checked(path, true);
        if (p.isEmpty()) {
            throw FopException.of(Errno.EBUSY, "/");
        }
        try (Entry e = entry(p, true)) {
            Stat st = Posix.statxOrNull(e.dir, e.name);
            if (st == null) {
                return;
            }
            if (gfid != null) {
                try (Inode i = open(e, Posix.O_RDONLY)) {
                    expectOrGone(i, gfid, p);
                }
            }
            if (st.isDirectory()) {
                removeContents(p);
                rmdir(p, null, null, true);
            } else {
                unlink(p, null, null, true);
            }
        }
    }

    /** Empties a directory, depth first (its own times do not matter: it goes next). */
    private void removeContents(String p) {
        for (;;) {
            DirPage page = readdir(p, 0, 1000, false);
            for (DirEntry d : page.entries()) {
                String child = VolumePath.child(p, d.name());
                try {
                    if (d.type() == FileType.DIRECTORY) {
                        removeContents(child);
                        rmdir(child, null, null);
                    } else {
                        unlink(child, null, null);
                    }
                } catch (FopException gone) {
                    if (gone.errno() != Errno.ENOENT) {
                        throw gone;
                    }
                }
            }
            if (page.entries().isEmpty()) {
                break;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- changelog

    /**
     * Applies a changelog update to the inode at path: blame (pending for the listed bricks) or dirty. Used after
     * the operation itself, so a missing inode (the op removed it) is simply skipped.
     */
    void recordPending(String path, int kinds, Collection<Integer> bricks) {
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            if (xattrCapable(i.stat)) {
                changelog.blame(i.fd, i.gfid(), e.path, kinds, bricks);
            } else {
                // symlinks and special files carry no changelog: their directory's entry heal repairs them
                recordPending(VolumePath.parent(e.path), Counters.ENTRY, bricks);
            }
        } catch (FopException ex) {
            if (ex.errno() != Errno.ENOENT && ex.errno() != Errno.ENOTDIR) {
                throw ex;
            }
        }
    }

    void recordDirty(String path, int kinds) {
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            if (xattrCapable(i.stat)) {
                changelog.markDirty(i.fd, i.gfid(), e.path, kinds);
            } else {
                recordDirty(VolumePath.parent(e.path), Counters.ENTRY);
            }
        } catch (FopException ex) {
            if (ex.errno() != Errno.ENOENT && ex.errno() != Errno.ENOTDIR) {
                throw ex;
            }
        }
    }

    /** The changelog of the parent directory of path, or null when that directory does not exist here. */
    public Changelog parentChangelogOrNull(String path) {
        String p = VolumePath.normalize(path);
        if (p.isEmpty()) {
            return null;
        }
        try (Entry e = entry(p, false)) {
            return changelog.read(e.dir);
        } catch (FopException ex) {
            return null;
        }
    }

    /** The changelog of the inode at path (CLEAN for inodes that cannot carry one). */
    public Changelog changelogOf(String path) {
        try (Entry e = entry(path, false); Inode i = open(e, Posix.O_RDONLY)) {
            return xattrCapable(i.stat) ? changelog.read(i.fd) : Changelog.CLEAN;
        }
    }
}
