package io.camelfs.mount;

import com.kenai.jffi.MemoryIO;
import io.camelfs.fop.Attr;
import io.camelfs.fop.Caller;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.LockRequest;
import io.camelfs.fop.LockResult;
import io.camelfs.fop.PathMap;
import io.camelfs.fop.SetAttr;
import io.camelfs.fop.StatFs;
import io.camelfs.fop.Timespec;
import io.camelfs.fop.VolumePath;
import io.camelfs.posix.Posix;
import io.camelfs.protocol.LeaseKeys;
import io.camelfs.stats.OpStats;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.Flock;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/**
 * The FUSE face of a volume: each callback becomes a FOP on the stack below (replicate), performed for the calling
 * user. Errors are the errno the bricks' filesystem returned. Attributes the volume just returned (after create,
 * mkdir, setattr, readdir) are kept for the attribute timeout so the getattr libfuse issues right after costs no
 * round trip.
 */
public final class CamelfsFuse extends FuseStubFS {
    private static final Logger LOG = LoggerFactory.getLogger(CamelfsFuse.class);
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    private static final int F_GETLK = 5;
    private static final int F_SETLK = 6;
    private static final int F_SETLKW = 7;
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int LOCK_UN = 8;
    private static final int XATTR_SIZE_MAX = 65536;
    /** How often a waiting F_SETLKW looks whether its process was signalled. */
    private static final long LOCK_WAIT_SLICE_MILLIS = 250;

    private final FileOps volume;
    private final AttrCache attrs;
    private final XattrCache xattrs;
    /**
     * (file, lock owner) pairs that hold POSIX locks: only those need an unlock round trip on close. The file is its
     * gfid (its path for the rare file without one); a pair goes with its owner's unlock of the whole file.
     */
    private final Set<String> locked = ConcurrentHashMap.newKeySet();
    private final OpStats stats = new OpStats();
    private final ChangesInFlight changing = new ChangesInFlight();
    private final PendingCreates pending = new PendingCreates(this::sent);
    private final PageDrops pageDrops;
    private final DeferredReplies deferred = new DeferredReplies();
    private final OpenFiles openFiles = new OpenFiles();
    private final HiddenFiles hidden = new HiddenFiles();
    /**
     * Directories' attributes as this mount last saw them, and when: a new file's group and whether its creator may
     * make it there follow from its directory's.
     */
    private record Seen(Attr attr, long nanos) {
    }

    private final PathMap<Seen> dirs = new PathMap<>(10_000);
    private final long cacheNanos;
    private final boolean createWithFirstWrite;
    /** Told of every upcall as it starts (see {@code CpuLatencyRequest}). */
    private final Runnable upcall;

    /**
     * @param leaseHeld whether this client holds an inode's lease right now (see {@code Replicate#holdsLease})
     * @param listingKnown whether this client knows a directory's listing right now ({@code Replicate#knowsListing})
     * @param cacheSeconds upper bound on how long the mount reuses what its own operations returned
     * @param createWithFirstWrite whether a non-exclusive create may wait for the file's first write (see
     *     {@link PendingCreates}); false: every create reaches the bricks before open() returns
     * @param upcall run as each upcall starts
     */
    public CamelfsFuse(FileOps volume, Path mountpoint, Predicate<Gfid> leaseHeld, Predicate<String> listingKnown,
            double cacheSeconds, boolean createWithFirstWrite, Runnable upcall) {
        this.volume = volume;
        this.upcall = upcall;
        this.pageDrops = new PageDrops(mountpoint);
        this.attrs = new AttrCache((long) (cacheSeconds * 1000), leaseHeld, listingKnown);
        this.cacheNanos = (long) (cacheSeconds * 1e9);
        this.createWithFirstWrite = createWithFirstWrite;
        this.xattrs = new XattrCache((long) (cacheSeconds * 1000), leaseHeld);
    }

    /** Leases were recalled (or all presumed gone): what was cached on their strength goes. */
    public void leasesRecalled(List<String> keys) {
        attrs.recalled(keys);
        if (keys == null || keys.stream().anyMatch(k -> k.startsWith(LeaseKeys.INODE))) {
            xattrs.clear();
        }
    }

    public OpStats stats() {
        return stats;
    }

    @Override
    protected String getFSName() {
        return "camelfs";
    }

    /**
     * Mounts and serves until unmounted, as jnr-fuse's blocking mount does (always in the calling thread, whatever
     * blocking says), but through {@link FuseLoop}, which lets the kernel send larger writes.
     */
    @Override
    public void mount(Path mountPoint, boolean blocking, boolean debug, String[] fuseOpts) {
        if (!mounted.compareAndSet(false, true)) {
            throw new ru.serce.jnrfuse.FuseException("already mounted");
        }
        this.mountPoint = mountPoint;
        List<String> argv = new ArrayList<>(List.of(getFSName(), "-f"));
        if (debug) {
            argv.add("-d");
        }
        argv.add(mountPoint.toAbsolutePath().toString());
        argv.addAll(List.of(fuseOpts));
        // if the JVM ends while the loop still runs, the mount goes with it
        Runtime.getRuntime().addShutdownHook(new Thread(this::umount));
        ThreadStructs.install(fuseOperations, this);
        int rc = FuseLoop.run(fuseOperations, argv.toArray(new String[0]), deferred);
        mounted.set(false); // libfuse unmounted on its way out of the loop
        if (rc != 0) {
            throw new ru.serce.jnrfuse.FuseException("Unable to mount FS, return code = " + rc);
        }
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    /** The volume as the process behind this FUSE request sees it: created inodes belong to that user. */
    private FileOps caller() {
        FuseContext c = getContext();
        return volume.as(new Caller((int) c.uid.get(), (int) c.gid.get()));
    }

    @FunctionalInterface
    private interface Op {
        int run();
    }

    /**
     * Runs one callback: errno on a FopException, EIO (logged) on anything unexpected. Creates this mount answered
     * but has not sent go to the bricks first, so the callback sees the volume as this mount's programs do.
     */
    private int call(String what, String path, Op op) {
        return run(what, path, true, op);
    }

    /** A callback that deals with pending creates itself (see {@link PendingCreates}). */
    private int callBesidePending(String what, String path, Op op) {
        return run(what, path, false, op);
    }

    private int run(String what, String path, boolean sendPending, Op op) {
        long start = System.nanoTime();
        int result = -Errno.EIO;
        upcall.run();
        try {
            if (sendPending) {
                pending.sendAll();
            }
            result = op.run();
            return result;
        } catch (FopException e) {
            result = -e.errno();
            return result;
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", what, path, e);
            return result;
        } finally {
            stats.record(what, System.nanoTime() - start, result < 0);
        }
    }

    private static long inode(String path, Attr a) {
        if (path.isEmpty()) {
            return 1;
        }
        if (a.gfid() != null) {
            long v = a.gfid().asLong();
            return v == 1 || v == 0 ? v + 2 : v;
        }
        return (path.hashCode() & 0x7fffffffL) | (1L << 40); // specials: no gfid, a stable number per path
    }

    private static void fill(String path, Attr a, FileStat st) {
        st.st_mode.set(a.mode());
        st.st_ino.set(inode(path, a));
        st.st_nlink.set(a.nlink());
        st.st_uid.set(a.uid());
        st.st_gid.set(a.gid());
        st.st_rdev.set(a.rdev());
        st.st_size.set(a.size());
        st.st_blksize.set(a.blksize() > 0 ? a.blksize() : 4096);
        st.st_blocks.set(a.blocks());
        st.st_atim.tv_sec.set(a.atime().sec());
        st.st_atim.tv_nsec.set(a.atime().nsec());
        st.st_mtim.tv_sec.set(a.mtime().sec());
        st.st_mtim.tv_nsec.set(a.mtime().nsec());
        st.st_ctim.tv_sec.set(a.ctime().sec());
        st.st_ctim.tv_nsec.set(a.ctime().nsec());
    }

    /**
     * What a lookup says now; cached only what this mount's own operations returned under its leases. A file whose
     * create is pending is as it was answered; for any other path, pending creates go to the bricks first.
     */
    private Attr stat(String path) {
        PendingCreates.Pending p = pending.ownOrSendAll(path);
        if (p != null) {
            return p.attr;
        }
        Attr a = attrs.get(path);
        if (a != null) {
            return a;
        }
        // no "looked up a moment ago" shortcut: the getattr that follows a lookup may belong to a later system call,
        // begun after another mount's write returned, and the kernel takes its size from the answer
        long start = System.nanoTime();
        a = volume.lookup(path);
        seen(path, a, start);
        return a;
    }

    private void seen(String path, Attr a, long start) {
        if (a != null && a.isDirectory()) {
            dirs.put(path, new Seen(a, start));
        }
    }

    private void forget(String path) {
        attrs.remove(path);
    }

    private void forgetTree(String dir) {
        attrs.removeTree(dir);
    }

    /** A pending create reached the bricks (a null attr: it failed). */
    private void sent(String path, Gfid predicted, Attr a, boolean made, long start) {
        remember(path, a, start);
        if (made) {
            xattrs.none(path, a.gfid(), start);
        } else if (a != null) {
            openFiles.retarget(predicted, a.gfid()); // the descriptor opened another client's file
        }
    }

    /** Keeps what an operation this mount made (started at start) returned. */
    private Attr remember(String path, Attr a, long start) {
        seen(path, a, start);
        if (a != null) {
            attrs.put(path, a, start);
        } else {
            attrs.remove(path);
        }
        return a;
    }

    /**
     * Runs a change of the inode at path and keeps the attributes it returned (the size after a write, the mode after
     * a chmod), so the getattr and lookups that follow cost no round trip while this mount holds the inode's lease.
     * What was cached for any name of the inode goes first: a hard link's other names change with it.
     */
    private void changed(String path, Supplier<Attr> change) {
        long start = System.nanoTime();
        forget(path);
        changing.begin(path);
        Attr a;
        boolean alone;
        try {
            a = change.get();
        } finally {
            alone = changing.end(path);
        }
        if (alone) {
            remember(path, a, start);
        } else {
            forget(path);
        }
    }

    /**
     * The volume path of an existing entry. A name that is not UTF-8 (see {@link #newName}) cannot have been made
     * through a mount: ENOENT, also where its decoded form would be too long (each replaced byte counts 3), which
     * made a create of a 255-byte such name fail ENAMETOOLONG at its lookup instead of EILSEQ.
     */
    private static String p(String fusePath) {
        if (fusePath.indexOf('\uFFFD') >= 0) {
            throw new FopException(Errno.ENOENT, fusePath + ": not a UTF-8 name, so no entry of the volume");
        }
        return VolumePath.normalize(fusePath);
    }

    /**
     * A path that names a new entry. jnr-fuse hands paths over decoded as UTF-8, bytes that are not UTF-8 replaced
     * by U+FFFD, and names travel to the bricks as UTF-8: such a name would silently become another one (and two
     * of them the same), so it is refused instead. A name really containing U+FFFD is refused with them.
     */
    private static String newName(String fusePath) {
        if (fusePath.indexOf('\uFFFD') >= 0) {
            throw new FopException(Errno.EILSEQ, fusePath + ": not a UTF-8 name");
        }
        return p(fusePath);
    }

    // ---------------------------------------------------------------------------------------------- metadata

    @Override
    public int getattr(String path, FileStat st) {
        return callBesidePending("getattr", path, () -> {
            String v = p(path);
            fill(v, stat(v), st);
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, FileStat st, FuseFileInfo fi) {
        return getattr(path, st);
    }

    @Override
    public int access(String path, int mask) {
        return callBesidePending("access", path, () -> {
            stat(p(path)); // permission bits are checked by the kernel (default_permissions)
            return 0;
        });
    }

    @Override
    public int readlink(String path, Pointer buf, long size) {
        return call("readlink", path, () -> {
            byte[] t = volume.readlink(p(path)).getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(t.length, size - 1);
            buf.put(0, t, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    @Override
    public int chmod(String path, long mode) {
        return call("chmod", path, () -> {
            String v = p(path);
            changed(v, () -> caller().setattr(v, SetAttr.mode((int) mode & 07777)));
            return 0;
        });
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return call("chown", path, () -> {
            String v = p(path);
            Integer u = (int) uid == -1 ? null : (int) uid;
            Integer g = (int) gid == -1 ? null : (int) gid;
            if (u != null || g != null) {
                changed(v, () -> caller().setattr(v, SetAttr.owner(u, g)));
            }
            return 0;
        });
    }

    @Override
    public int utimens(String path, ru.serce.jnrfuse.struct.Timespec[] ts) {
        return call("utimens", path, () -> {
            String v = p(path);
            Timespec a = time(ts[0]);
            Timespec m = time(ts[1]);
            boolean aNow = ts[0].tv_nsec.longValue() == UTIME_NOW;
            boolean mNow = ts[1].tv_nsec.longValue() == UTIME_NOW;
            if (a == null && m == null && !aNow && !mNow) {
                return 0;
            }
            changed(v, () -> caller().setattr(v, new SetAttr(null, null, null, null, a, m, aNow, mNow)));
            return 0;
        });
    }

    private static Timespec time(ru.serce.jnrfuse.struct.Timespec t) {
        long ns = t.tv_nsec.longValue();
        if (ns == UTIME_NOW || ns == UTIME_OMIT) {
            return null;
        }
        return new Timespec(t.tv_sec.get(), (int) ns);
    }

    @Override
    public int truncate(String path, long size) {
        return truncate(path, null, size);
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return truncate(path, openFiles.gfid(fi.fh.get()), size); // the descriptor's file, as its writes
    }

    private int truncate(String path, Gfid file, long size) {
        return call("truncate", path, () -> {
            String v = p(path);
            forget(v);
            volume.truncate(v, file, size);
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs st) {
        return call("statfs", path, () -> {
            StatFs s = volume.statfs(p(path));
            st.f_bsize.set(s.bsize());
            st.f_frsize.set(s.frsize());
            st.f_blocks.set(s.blocks());
            st.f_bfree.set(s.bfree());
            st.f_bavail.set(s.bavail());
            st.f_files.set(s.files());
            st.f_ffree.set(s.ffree());
            st.f_favail.set(s.favail());
            st.f_namemax.set(s.namemax());
            return 0;
        });
    }

    // ------------------------------------------------------------------------------------------------ entries

    @Override
    public int mknod(String path, long mode, long rdev) {
        return call("mknod", path, () -> {
            String v = newName(path);
            long start = System.nanoTime();
            remember(v, caller().mknod(v, (int) mode, rdev), start);
            return 0;
        });
    }

    @Override
    public int mkdir(String path, long mode) {
        return call("mkdir", path, () -> {
            String v = newName(path);
            long start = System.nanoTime();
            Attr a = remember(v, caller().mkdir(v, (int) mode & 07777), start);
            xattrs.none(v, a.gfid(), start);
            return 0;
        });
    }

    @Override
    public int symlink(String target, String linkpath) {
        return call("symlink", linkpath, () -> {
            String v = newName(linkpath);
            forget(v);
            caller().symlink(target, v);
            return 0;
        });
    }

    @Override
    public int link(String existing, String newpath) {
        return call("link", newpath, () -> {
            String from = p(existing);
            String v = newName(newpath);
            long start = System.nanoTime();
            Attr a = caller().link(from, v);
            forget(from); // its link count changed, under every name
            attrs.forgetInode(a.gfid());
            remember(v, a, start);
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return call("unlink", path, () -> {
            String v = p(path);
            forget(v);
            attrs.forgetLinked();
            xattrs.remove(v);
            if (HiddenFiles.hidden(v)) {
                hidden.remove(() -> volume.lookup(v).gfid(), () -> volume.unlink(v));
            } else {
                volume.unlink(v);
            }
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return call("rmdir", path, () -> {
            String v = p(path);
            forgetTree(v);
            xattrs.removeTree(v);
            volume.rmdir(v);
            return 0;
        });
    }

    @Override
    public int rename(String from, String to) {
        return call("rename", from, () -> {
            String f = p(from);
            String t = newName(to);
            forgetTree(f);
            forgetTree(t);
            attrs.forgetLinked();
            xattrs.removeTree(f);
            xattrs.removeTree(t);
            volume.rename(f, t, 0);
            return 0;
        });
    }

    // --------------------------------------------------------------------------------------------------- files

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return call("create", path, () -> {
            String v = newName(path);
            boolean exclusive = (fi.flags.get() & Posix.O_EXCL) != 0;
            DirectWrites.apply(fi);
            long start = System.nanoTime();
            FuseContext c = getContext();
            int uid = (int) c.uid.get();
            int gid = (int) c.gid.get();
            FileOps creator = volume.as(new Caller(uid, gid));
            Attr predicted = exclusive || !createWithFirstWrite ? null : predictCreate(v, (int) mode & 07777, uid,
                    gid);
            if (predicted != null) {
                pending.add(new PendingCreates.Pending(v, creator, predicted));
                forget(v);
                xattrs.remove(v);
                fi.fh.set(openFiles.add(predicted.gfid(), false));
                return 0;
            }
            Attr a = remember(v, creator.create(v, (int) mode & 07777, exclusive), start);
            if (a.nlink() == 1 && a.size() == 0) {
                xattrs.none(v, a.gfid(), start); // a file made this instant has no extended attributes
            }
            fi.fh.set(openFiles.add(a.gfid(), false));
            return 0;
        });
    }

    /**
     * The attributes a new file will have, if this mount can tell for sure the bricks will make it (then its create
     * can wait for its first write, see {@link PendingCreates}); null if not. Sure means: the name is short enough,
     * and the directory was seen lately and lets the creator in -- root, or its owner with write and search -- which
     * is also where the file's group comes from (set-group-ID directories).
     */
    private Attr predictCreate(String path, int mode, int uid, int gid) {
        if (VolumePath.name(path).getBytes(StandardCharsets.UTF_8).length > 255 || (mode & 02000) != 0) {
            return null;
        }
        Seen parent = dirs.get(VolumePath.parent(path));
        if (parent == null || System.nanoTime() - parent.nanos > cacheNanos) {
            return null;
        }
        Attr d = parent.attr;
        if (uid != 0 && !(uid == d.uid() && (d.mode() & 0300) == 0300)) {
            return null;
        }
        int group = (d.mode() & 02000) != 0 ? d.gid() : gid;
        Timespec now = Timespec.of(Instant.now());
        return new Attr(Gfid.random(), FileType.REGULAR.bits() | mode, 1, uid, group, 0, 0, 0, 4096, 0,
                now, now, now);
    }

    /**
     * The kernel may still hold a name another mount has since removed (its dentry lives for entry-timeout). Then
     * the file is gone: answering ESTALE makes the kernel walk the path again, revalidating every name, so O_CREAT
     * creates the file and a plain open says ENOENT, exactly as on a local disk.
     */
    @Override
    public int open(String path, FuseFileInfo fi) {
        return callBesidePending("open", path, () -> {
            String v = p(path);
            try {
                if (HiddenFiles.hidden(v)) {
                    fi.fh.set(openFiles.add(hidden.open(() -> volume.lookup(v).gfid()), true));
                } else {
                    Attr a = stat(v);
                    if (a.isDirectory()) {
                        return -Errno.EISDIR;
                    }
                    fi.fh.set(openFiles.add(a.gfid(), false));
                }
                DirectWrites.apply(fi);
                return 0;
            } catch (FopException e) {
                return e.errno() == Errno.ENOENT ? -Errno.ESTALE : -e.errno();
            }
        });
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("read", path, () -> {
            // of the descriptor's file: after a rename over its name elsewhere, ESTALE, not the other file's bytes
            ByteBuffer b = volume.read(p(path), openFiles.gfid(fi.fh.get()), offset, (int) size);
            int n = b.remaining();
            if (b.hasArray()) {
                buf.put(0, b.array(), b.arrayOffset() + b.position(), n);
            } else {
                byte[] tmp = new byte[n];
                b.get(tmp);
                buf.put(0, tmp, 0, n);
            }
            return n;
        });
    }

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return callBesidePending("write", path, () -> {
            String v = p(path);
            ByteBuffer data = requestMemory(buf, (int) size);
            PendingCreates.Pending p = pending.get(v);
            if (p != null && offset == 0 && pending.sendWith(p, data)) {
                return (int) size; // the create went with these bytes
            }
            if (p != null) {
                pending.send(v); // reports what failed it, if anything did
            }
            pending.sendAll();
            changed(v, () -> volume.write(v, openFiles.gfid(fi.fh.get()), offset, data));
            return (int) size;
        });
    }

    /**
     * The bytes of a write where libfuse put them, not a copy: they are valid until this upcall returns, and a write
     * is done with them by then (each brick's request is written to its socket before any reply is awaited). A copy
     * here was a fresh 128 KiB array, zeroed, filled and garbage a moment later, for every piece of a large write.
     */
    private static ByteBuffer requestMemory(Pointer buf, int size) {
        return MemoryIO.getInstance().newDirectByteBuffer(buf.address(), size);
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        // writes are synchronous: every byte is on the bricks when write() returns; a file closed before any write
        // was made goes now, so close() reports what the create met
        return callBesidePending("flush", path, () -> {
            pending.send(p(path));
            return 0;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        pending.released(VolumePath.normalize(path)); // a path that opened: p() has nothing to refuse
        if (FileInfoBits.has(fi, FileInfoBits.FLOCK_RELEASE)) { // the descriptor's last close: its flock goes too
            call("flock", path, () -> {
                take(path, p(path), LockRequest.flock(LockRequest.Command.SET, LockRequest.Type.UNLOCK,
                        fi.lock_owner.get(), 0, openFiles.gfid(fi.fh.get())));
                return 0;
            });
        }
        OpenFiles.Open o = openFiles.remove(fi.fh.get());
        return o == null || !o.hidden() ? 0 : call("release", path, () -> {
            String v = p(path);
            hidden.release(o.gfid(), () -> {
                forget(v);
                volume.unlink(v);
            });
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return call("fsync", path, () -> {
            volume.fsync(p(path), isdatasync != 0);
            return 0;
        });
    }

    @Override
    public int fallocate(String path, int mode, long off, long length, FuseFileInfo fi) {
        return call("fallocate", path, () -> {
            String v = p(path);
            forget(v);
            volume.fallocate(v, openFiles.gfid(fi.fh.get()), mode, off, length);
            return 0;
        });
    }

    // --------------------------------------------------------------------------------------------- directories

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        return call("readdir", path, () -> {
            String v = p(path);
            filler.apply(buf, ".", null, 0);
            filler.apply(buf, "..", null, 0);
            long cookie = 0;
            for (;;) {
                DirPage page = volume.readdir(v, cookie, 1000, false);
                for (DirEntry e : page.entries()) {
                    byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
                    ByteBuffer z = ByteBuffer.allocateDirect(name.length + 1);
                    z.put(name).put((byte) 0).flip();
                    filler.apply(buf, z, null, 0);
                    cookie = e.cookie();
                }
                if (page.eof() || page.entries().isEmpty()) {
                    return 0;
                }
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------- xattr

    @Override
    public int getxattr(String path, String name, Pointer value, long size) {
        return callBesidePending("getxattr", path, () -> {
            String v0 = p(path);
            if (pending.ownOrSendAll(v0) != null) {
                return -Errno.ENODATA; // a file made this instant has no extended attributes
            }
            // the kernel asks for security.capability before every write; the answer is cached for the
            // attribute timeout like the attributes themselves
            byte[] v = xattrs.get(v0, name, attrs.gfidOf(v0), () -> volume.getxattr(v0, name));
            if (size == 0) {
                return v.length;
            }
            if (size < v.length) {
                return -Errno.ERANGE;
            }
            value.put(0, v, 0, v.length);
            return v.length;
        });
    }

    @Override
    public int setxattr(String path, String name, Pointer value, long size, int flags) {
        return call("setxattr", path, () -> {
            if (size > XATTR_SIZE_MAX) {
                return -Errno.E2BIG;
            }
            byte[] v = new byte[(int) size];
            value.get(0, v, 0, v.length);
            String vp = p(path);
            xattrChanged(vp, () -> caller().setxattr(vp, name, v, flags));
            return 0;
        });
    }

    @Override
    public int listxattr(String path, Pointer list, long size) {
        return call("listxattr", path, () -> {
            List<String> names = volume.listxattr(p(path));
            int total = 0;
            for (String n : names) {
                total += n.getBytes(StandardCharsets.UTF_8).length + 1;
            }
            if (size == 0) {
                return total;
            }
            if (size < total) {
                return -Errno.ERANGE;
            }
            int off = 0;
            for (String n : names) {
                byte[] b = n.getBytes(StandardCharsets.UTF_8);
                list.put(off, b, 0, b.length);
                list.putByte(off + b.length, (byte) 0);
                off += b.length + 1;
            }
            return total;
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return call("removexattr", path, () -> {
            String vp = p(path);
            xattrChanged(vp, () -> caller().removexattr(vp, name));
            return 0;
        });
    }

    /**
     * Whatever the change met, the path's xattrs and attributes are asked again: its ctime moved, and an ACL
     * (system.posix_acl_access) sets the mode bits too.
     */
    private void xattrChanged(String path, Runnable change) {
        xattrs.remove(path);
        try {
            change.run();
        } finally {
            forget(path);
        }
    }

    // ---------------------------------------------------------------------------------------------------- locks

    @Override
    public int lock(String path, FuseFileInfo fi, int cmd, Flock flock) {
        return call("lock", path, () -> {
            LockRequest.Type type;
            int t = flock.l_type.get();
            if (t == Flock.F_RDLCK) {
                type = LockRequest.Type.READ;
            } else if (t == Flock.F_WRLCK) {
                type = LockRequest.Type.WRITE;
            } else {
                type = LockRequest.Type.UNLOCK;
            }
            LockRequest.Command c = cmd == F_GETLK ? LockRequest.Command.GET
                    : cmd == F_SETLKW ? LockRequest.Command.SET_WAIT : LockRequest.Command.SET;
            if (cmd != F_GETLK && cmd != F_SETLK && cmd != F_SETLKW) {
                return -Errno.EINVAL;
            }
            String v = p(path);
            Gfid file = openFiles.gfid(fi.fh.get());
            long owner = fi.lock_owner.get();
            String ownerKey = (file != null ? file.hex() : v) + "\0" + owner;
            if (type == LockRequest.Type.UNLOCK && c == LockRequest.Command.SET && !locked.contains(ownerKey)) {
                return 0; // libfuse unlocks on every close; no round trip for owners that never locked here
            }
            if (type != LockRequest.Type.UNLOCK && c != LockRequest.Command.GET) {
                locked.add(ownerKey);
            }
            long start = flock.l_start.get();
            long len = flock.l_len.get();
            if (len < 0) { // a negative length locks the bytes before start
                start += len;
                len = -len;
            }
            LockResult r = take(path, v, new LockRequest(c, type, start, len, owner, (int) flock.l_pid.get(), file));
            if (c != LockRequest.Command.GET && type == LockRequest.Type.UNLOCK && start == 0 && len == 0) {
                locked.remove(ownerKey); // the owner holds nothing on this file now (libfuse's unlock at close)
            }
            if (r != null && c == LockRequest.Command.GET) {
                if (r.granted() || r.type() == LockRequest.Type.UNLOCK) {
                    flock.l_type.set(Flock.F_UNLCK);
                } else {
                    flock.l_type.set(r.type() == LockRequest.Type.READ ? Flock.F_RDLCK : Flock.F_WRLCK);
                    flock.l_start.set(r.start());
                    flock.l_len.set(r.length());
                    flock.l_pid.set(r.pid());
                }
            }
            return 0;
        });
    }

    /**
     * BSD flock(2): a lock of the whole file, held by the bricks like fcntl's so that processes on other mounts see
     * it (without this, the kernel kept flock locks to this machine), in a table of its own as on Linux. The owner
     * is the open file description; {@link #release} unlocks at its last close.
     */
    @Override
    public int flock(String path, FuseFileInfo fi, int op) {
        return call("flock", path, () -> {
            LockRequest.Type type = (op & LOCK_UN) != 0 ? LockRequest.Type.UNLOCK
                    : (op & LOCK_EX) != 0 ? LockRequest.Type.WRITE
                    : (op & LOCK_SH) != 0 ? LockRequest.Type.READ : null;
            if (type == null) {
                return -Errno.EINVAL;
            }
            LockRequest.Command c = (op & LOCK_NB) != 0 || type == LockRequest.Type.UNLOCK ? LockRequest.Command.SET
                    : LockRequest.Command.SET_WAIT;
            take(path, p(path), LockRequest.flock(c, type, fi.lock_owner.get(), (int) getContext().pid.get(),
                    openFiles.gfid(fi.fh.get())));
            return 0;
        });
    }

    /**
     * Asks the bricks for a lock (or its test, or its release) and drops cached pages once one is granted; null if a
     * wait was deferred. A wait first tries without waiting; if the lock is held elsewhere it waits with the path
     * free, where the reply leaves (see DeferredReplies), in slices, so that a signal to the waiting process
     * (FUSE_INTERRUPT) ends it.
     */
    private LockResult take(String path, String v, LockRequest request) {
        FuseContext context = getContext();
        int caller = (int) context.pid.get(); // the locking thread, whose descriptor PageDrops uses
        boolean deferrable = request.command() == LockRequest.Command.SET_WAIT && deferred.available();
        LockResult r;
        try {
            r = volume.lock(v, deferrable ? request.as(LockRequest.Command.SET) : request);
        } catch (FopException e) {
            if (!deferrable || e.errno() != Errno.EAGAIN) {
                throw e;
            }
            deferred.defer(jnr.ffi.Struct.getMemory(context), interrupted -> call("lockwait", path, () -> {
                while (!granted(v, request.waitingAtMost(LOCK_WAIT_SLICE_MILLIS))) {
                    if (interrupted.getAsBoolean()) {
                        return -Errno.EINTR;
                    }
                }
                pageDrops.afterLock(caller, v);
                return 0;
            }));
            return null;
        }
        if (request.command() != LockRequest.Command.GET && request.type() != LockRequest.Type.UNLOCK) {
            pageDrops.afterLock(caller, v);
        }
        return r;
    }

    /** Whether the lock was granted within its wait; false if it is still held elsewhere. */
    private boolean granted(String v, LockRequest request) {
        try {
            volume.lock(v, request);
            return true;
        } catch (FopException e) {
            if (e.errno() != Errno.EAGAIN) {
                throw e;
            }
            return false;
        }
    }

    @Override
    public void destroy(Pointer initResult) {
        try {
            pending.sendAll(); // unmounting: what was answered reaches the bricks
        } catch (RuntimeException e) {
            LOG.warn("sending pending creates at unmount failed", e);
        }
        pageDrops.close();
    }

    /** For logs and tests: how a type bit set prints. */
    static String type(int mode) {
        return FileType.ofMode(mode).name();
    }
}
