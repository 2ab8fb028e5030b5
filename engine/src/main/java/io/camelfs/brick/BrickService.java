package io.camelfs.brick;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.camelfs.fop.Attr;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.LockRequest;
import io.camelfs.fop.LockResult;
import io.camelfs.fop.SetAttr;
import io.camelfs.fop.Timespec;
import io.camelfs.fop.VolumePath;
import io.camelfs.protocol.BrickRefusedException;
import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Event;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.HelloReply;
import io.camelfs.protocol.v1.HelloRequest;
import io.camelfs.protocol.v1.LeaseMode;
import io.camelfs.protocol.v1.LeaseReply;
import io.camelfs.protocol.v1.LeaseRequest;
import io.camelfs.protocol.v1.LeaseStatus;
import io.camelfs.protocol.v1.Lock;
import io.camelfs.protocol.v1.LockCmd;
import io.camelfs.protocol.v1.LockInfo;
import io.camelfs.protocol.v1.LockType;
import io.camelfs.protocol.v1.PingReply;
import io.camelfs.protocol.v1.PingRequest;
import io.camelfs.protocol.v1.Upcall;
import io.camelfs.protocol.v1.UpcallRequest;
import io.camelfs.protocol.v1.VolumeReply;
import io.camelfs.protocol.v1.VolumeRequest;
import io.camelfs.volume.Squash;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The brick end of the brick protocol. Each request passes the same short pipeline: session bookkeeping (settled
 * watermark, unsettled-op memory), lease check, the posix operation, then the changelog blame the client folded
 * into the header. One request, one reply, one round trip.
 */
final class BrickService {
    /** How long a blocking lock or lease request may wait when the client names no limit. */
    private static final long DEFAULT_WAIT_MILLIS = 30_000;
    /**
     * A batch's replies stop growing here. A batch of reads used to answer with all their data, however much: a few
     * kilobytes of request made the brick build a reply of gigabytes, which no client accepts (over MAX_FRAME).
     */
    private static final int BATCH_REPLY_LIMIT = Frame.MAX_FRAME - (1 << 20);
    private static final Logger LOG = LoggerFactory.getLogger(BrickService.class);

    private final BrickServer brick;
    private final PosixStore store;
    private final LeaseTable leases;
    private final LockTable locks;
    private final Sessions sessions;
    private final HealStatistics healStatistics;
    private final EventJournal events;
    private final boolean syncWrites;
    private final Squash squash;
    private final AccessCheck access;
    private final int maxLocksPerClient;

    BrickService(BrickServer brick, PosixStore store, LeaseTable leases, LockTable locks, Sessions sessions,
            HealStatistics healStatistics, EventJournal events, boolean syncWrites) {
        this.events = events;
        this.brick = brick;
        this.store = store;
        this.leases = leases;
        this.locks = locks;
        this.sessions = sessions;
        this.healStatistics = healStatistics;
        this.syncWrites = syncWrites;
        this.squash = brick.volume().options().squash();
        this.access = new AccessCheck(store);
        this.maxLocksPerClient = brick.volume().options().maxLocksPerClient();
    }

    // ---------------------------------------------------------------------------------------------- session

    HelloReply hello(HelloRequest req) {
        if (!req.getVolume().equals(brick.volume().name())) {
            throw new BrickRefusedException(Frame.NOT_FOUND, "brick " + brick.address() + " serves volume '"
                    + brick.volume().name() + "', not '" + req.getVolume() + "'");
        }
        if (req.getProtocol() != Wire.PROTOCOL) {
            throw new BrickRefusedException(Frame.FAILED_PRECONDITION, "brick " + brick.address()
                    + " speaks brick protocol " + Wire.PROTOCOL + ", client speaks " + req.getProtocol());
        }
        Sessions.Session s = sessions.touch(req.getSession());
        s.client = req.getClient();
        return HelloReply.newBuilder().setVolume(brick.volume().name()).setBrickIndex(brick.index())
                .setBrickId(store.root().brickId()).setEpoch(brick.epoch()).setProtocol(Wire.PROTOCOL)
                .setLocalSocket(brick.localSocket()).build();
    }

    VolumeReply volume(VolumeRequest req) {
        if (!req.getVolume().equals(brick.volume().name())) {
            throw new BrickRefusedException(Frame.NOT_FOUND, "no volume '" + req.getVolume() + "' at "
                    + brick.address() + " (this brick serves '" + brick.volume().name() + "')");
        }
        return VolumeReply.newBuilder().setSpec(Wire.volume(brick.volume())).build();
    }

    PingReply ping(PingRequest req) {
        if (!req.getSession().isEmpty()) {
            Sessions.Session s = sessions.touch(req.getSession());
            s.settle(req.getSettled());
            if (req.getGoodbye()) {
                sessions.expire(s.id, brick::sessionEnded);
            }
        }
        return PingReply.newBuilder().setEpoch(brick.epoch()).setTimeMillis(System.currentTimeMillis()).build();
    }

    /** The connection becomes the session's control connection; upcalls go to sink until it closes. */
    Sessions.Session subscribe(UpcallRequest req, Consumer<Upcall> sink) {
        Sessions.Session s = sessions.touch(req.getSession());
        s.upcalls = sink;
        s.disconnectedAt = 0;
        brick.listener().clientConnected(brick, s.client);
        return s;
    }

    /** The control connection closed: the session's grace period starts. */
    void unsubscribe(Sessions.Session s, Consumer<Upcall> sink) {
        if (s.upcalls == sink) {
            s.upcalls = null;
            s.disconnectedAt = System.currentTimeMillis();
            brick.listener().clientDisconnected(brick, s.client);
        }
    }

    /** Asks a session to release a lease (LeaseTable's recaller). */
    void recall(ByteString session, String key) {
        Sessions.Session s = sessions.get(session);
        Consumer<Upcall> up = s == null ? null : s.upcalls;
        if (up == null) {
            return; // a vanished client is released when its grace period ends
        }
        try {
            up.accept(Upcall.newBuilder().addRecall(key).build());
        } catch (RuntimeException e) {
            LOG.debug("recall of {} to {} failed: {}", key, s.client, e.toString());
        }
    }

    // ----------------------------------------------------------------------------------------------- leases

    LeaseReply acquire(LeaseRequest req) throws InterruptedException {
        Sessions.Session s = sessions.touch(req.getSession());
        List<String> keys = req.getKeysList();
        if (!req.getWait()) {
            boolean ok = leases.enterAcquire(s.id, keys);
            if (ok) {
                leases.exit(keys);
            }
            LeaseReply.Builder r = LeaseReply.newBuilder();
            return (ok ? r.addAllGranted(keys) : r.addAllDenied(keys)).build();
        }
        CountDownLatch granted = new CountDownLatch(1);
        LeaseTable.Waiter w = leases.acquire(s.id, keys, granted::countDown);
        long wait = req.getWaitMillis() > 0 ? req.getWaitMillis() : DEFAULT_WAIT_MILLIS;
        if (granted.await(wait, TimeUnit.MILLISECONDS)) {
            return LeaseReply.newBuilder().addAllGranted(keys).build();
        }
        leases.cancel(w); // keys granted meanwhile stay the session's; a recall returns them
        return LeaseReply.newBuilder().addAllDenied(keys).build();
    }

    LeaseReply release(LeaseRequest req) {
        Sessions.Session s = sessions.touch(req.getSession());
        return LeaseReply.newBuilder().addAllGranted(leases.release(s.id, req.getKeysList())).build();
    }

    // ------------------------------------------------------------------------------------------------ calls

    FopReply call(FopRequest req) throws InterruptedException {
        Header h = req.getHeader();
        Sessions.Session s = sessions.touch(h.getSession());
        if (h.getSettled() > 0) {
            s.settle(h.getSettled());
        }
        if (req.getOpCase() == FopRequest.OpCase.LOCK) {
            return lock(req.getLock(), s);
        }
        if (req.getOpCase() == FopRequest.OpCase.BATCH) {
            return batch(req, h);
        }
        boolean mutating = Targets.mutating(req);
        List<String> keys = h.getLeasesList();
        List<String> clear = h.getClearList();
        boolean entered = false;
        if (!mutating && h.getLeaseMode() == LeaseMode.LEASE_HELD && !leases.touch(s.id, keys)) {
            return FopReply.newBuilder().setLease(LeaseStatus.LEASE_LOST).build();
        }
        if (!mutating && h.getLeaseMode() == LeaseMode.LEASE_ACQUIRE) {
            // a read that takes the keys first (a healer's first look under its lock): one round trip for both
            if (!leases.enterAcquire(s.id, keys)) {
                return FopReply.newBuilder().setLease(LeaseStatus.LEASE_DENIED).build();
            }
            leases.exit(keys);
        }
        if (mutating && h.getLeaseMode() != LeaseMode.LEASE_NONE) {
            boolean held = h.getLeaseMode() == LeaseMode.LEASE_HELD;
            entered = held ? leases.enterHeld(s.id, keys, clear) : leases.enterAcquire(s.id, keys, clear);
            if (!entered) {
                return FopReply.newBuilder().setLease(held ? LeaseStatus.LEASE_LOST : LeaseStatus.LEASE_DENIED).build();
            }
        }
        long start = System.nanoTime();
        FopReply.Builder r;
        try {
            List<Targets.Target> targets = mutating ? Targets.of(req) : List.of();
            if (mutating && h.getSeq() > 0) {
                s.begin(h.getSeq(), targets);
            }
            if (!h.getInternal() && squash.applies(h.getUid())) {
                h = h.toBuilder().setUid(squash.anonUid()).setGid(squash.anonGid()).build();
                access.check(req, h.getUid(), h.getGid());
            }
            r = dispatch(req, h);
            if (mutating && h.getBlameCount() > 0) {
                for (Targets.Target t : targets) {
                    store.recordPending(t.path(), t.kinds(), h.getBlameList());
                }
            }
        } catch (PosixStore.ExistsException e) {
            r = FopReply.newBuilder().setErrno(Errno.EEXIST).setError(e.getMessage())
                    .setExistingGfid(Wire.gfid(e.existing()));
        } catch (FopException e) {
            r = FopReply.newBuilder().setErrno(e.errno()).setError(e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("{} failed on brick {}", req.getOpCase(), brick.address(), e);
            r = FopReply.newBuilder().setErrno(Errno.EIO).setError("brick " + brick.address() + ": " + e);
        } finally {
            if (entered) {
                leases.exit(keys);
                leases.exitCleared(clear);
            }
            if (h.getRelease()) {
                leases.release(s.id, keys);
            }
        }
        FopReply reply = r.build();
        brick.served(req.getOpCase().name().toLowerCase(Locale.ROOT), System.nanoTime() - start,
                reply.getErrno(), req.getSerializedSize(), reply.getSerializedSize());
        if (reply.getErrno() == 0 && mutating && reply.getLease() == LeaseStatus.LEASE_OK) {
            journal(req, reply, h);
        }
        if (reply.getErrno() == 0) {
            switch (req.getOpCase()) {
                case READ -> brick.countData(reply.getData().size(), 0);
                case WRITE -> brick.countData(0, req.getWrite().getData().size());
                case CREATE -> brick.countData(0, req.getCreate().getData().size());
                default -> { }
            }
        }
        return reply;
    }

    /** A change a client committed becomes an event (heal's repairs are not changes, only catching up). */
    private void journal(FopRequest req, FopReply reply, Header h) {
        Event.Builder e = Event.newBuilder().setTime(h.getTime());
        switch (req.getOpCase()) {
            case CREATE -> e.setType("create").setPath(req.getCreate().getPath());
            case MKDIR -> e.setType("create").setPath(req.getMkdir().getPath()).setDirectory(true);
            case MKNOD -> e.setType("create").setPath(req.getMknod().getPath());
            case SYMLINK -> e.setType("create").setPath(req.getSymlink().getPath());
            case LINK -> e.setType("create").setPath(req.getLink().getPath());
            case UNLINK -> e.setType("delete").setPath(req.getUnlink().getPath());
            case RMDIR -> e.setType("delete").setPath(req.getRmdir().getPath()).setDirectory(true);
            case UNDO -> e.setType("delete").setPath(req.getUndo().getPath());
            case RENAME -> e.setType("rename").setPath(req.getRename().getFrom()).setTo(req.getRename().getTo());
            case WRITE -> e.setType("modify").setPath(req.getWrite().getPath());
            case TRUNCATE -> e.setType("modify").setPath(req.getTruncate().getPath());
            case FALLOCATE -> e.setType("modify").setPath(req.getFallocate().getPath());
            case SETATTR -> e.setType((req.getSetattr().getValid() & SetAttr.SIZE) != 0 ? "modify" : "attrib")
                    .setPath(req.getSetattr().getPath());
            case SETXATTR -> e.setType("attrib").setPath(req.getSetxattr().getPath());
            case REMOVEXATTR -> e.setType("attrib").setPath(req.getRemovexattr().getPath());
            default -> {
                return; // heal's installs, settles and marks
            }
        }
        if (reply.hasStat()) {
            e.setGfid(reply.getStat().getGfid()).setSize(reply.getStat().getSize());
            if ((reply.getStat().getMode() & FileType.S_IFMT)
                    == FileType.DIRECTORY.bits()) {
                e.setDirectory(true);
            }
        }
        events.append(e);
    }

    /** Each operation of a batch as if it came alone under the batch's header; the keys go back at the end. */
    private FopReply batch(FopRequest req, Header h) throws InterruptedException {
        Header each = h.toBuilder().setRelease(false).build();
        FopReply.Builder r = FopReply.newBuilder();
        long size = 0;
        try {
            for (FopRequest op : req.getBatch().getOpsList()) {
                if (size >= BATCH_REPLY_LIMIT) {
                    // the replies so far fill a frame: the rest are not run, and a bare errno says so
                    r.addReplies(FopReply.newBuilder().setErrno(Errno.E2BIG));
                    continue;
                }
                if (op.getOpCase() == FopRequest.OpCase.BATCH || op.getOpCase() == FopRequest.OpCase.LOCK) {
                    r.addReplies(FopReply.newBuilder().setErrno(Errno.EINVAL).setError("no " + op.getOpCase()
                            + " inside a batch"));
                    continue;
                }
                FopReply one = call(op.toBuilder().setHeader(each).build());
                if (size + one.getSerializedSize() > BATCH_REPLY_LIMIT && !Targets.mutating(op)) {
                    one = FopReply.newBuilder().setErrno(Errno.E2BIG).build(); // a read's data dropped: no change
                    size = BATCH_REPLY_LIMIT;
                }
                size += one.getSerializedSize();
                if (one.getLease() != LeaseStatus.LEASE_OK && r.getLease() == LeaseStatus.LEASE_OK) {
                    r.setLease(one.getLease()); // the batch as a whole did not hold its keys
                }
                r.addReplies(one);
            }
        } finally {
            if (h.getRelease()) {
                leases.release(sessions.touch(h.getSession()).id, h.getLeasesList());
            }
        }
        return r.build();
    }

    /**
     * A read returns at most what fits in one reply frame (a longer read is short, as POSIX allows): a reply over
     * the frame limit is one no client accepts, only memory the brick spent on it.
     */
    private static int readLength(int wire) {
        return (int) Math.min(Integer.toUnsignedLong(wire), Frame.MAX_FRAME - (1 << 20));
    }

    private static Gfid gfid(ByteString b) {
        return Wire.gfid(b);
    }

    private static FopReply.Builder ok(Attr a) {
        return FopReply.newBuilder().setStat(Wire.stat(a));
    }

    private FopReply.Builder dispatch(FopRequest req, Header h) {
        Timespec time = h.hasTime() ? Wire.time(h.getTime()) : null;
        switch (req.getOpCase()) {
            case LOOKUP: {
                PosixStore.Looked l;
                try {
                    l = store.lookup(req.getLookup().getPath(), true, true);
                } catch (FopException e) {
                    // AFR needs the parent's changelog to tell "absent here" from "not healed here yet"
                    FopReply.Builder b = FopReply.newBuilder().setErrno(e.errno()).setError(e.getMessage());
                    var parent = store.parentChangelogOrNull(req.getLookup().getPath());
                    if (parent != null) {
                        b.setParentAfr(Wire.changelog(parent));
                    }
                    return b;
                }
                FopReply.Builder b = ok(l.attr()).setAfr(Wire.changelog(l.changelog()));
                if (l.parent() != null) {
                    b.setParentAfr(Wire.changelog(l.parent()));
                }
                return b;
            }
            case CREATE: {
                var c = req.getCreate();
                return ok(store.create(c.getPath(), gfid(c.getGfid()), c.getMode(), h.getUid(), h.getGid(),
                        c.getData().isEmpty() ? null : c.getData().toByteArray(), c.getSync() || syncWrites, time));
            }
            case MKDIR: {
                var c = req.getMkdir();
                return ok(store.mkdir(c.getPath(), gfid(c.getGfid()), c.getMode(), h.getUid(), h.getGid(), time));
            }
            case MKNOD: {
                var c = req.getMknod();
                return ok(store.mknod(c.getPath(), gfid(c.getGfid()), c.getMode(), c.getRdev(), h.getUid(),
                        h.getGid(), time));
            }
            case SYMLINK: {
                var c = req.getSymlink();
                return ok(store.symlink(c.getPath(), c.getTarget(), h.getUid(), h.getGid(), time));
            }
            case READLINK:
                return FopReply.newBuilder().setText(store.readlink(req.getReadlink().getPath()));
            case LINK: {
                var c = req.getLink();
                return ok(store.link(c.getExisting(), c.getPath(), gfid(c.getGfid()), time));
            }
            case UNLINK:
                store.unlink(req.getUnlink().getPath(), gfid(req.getUnlink().getGfid()), time);
                return FopReply.newBuilder();
            case RMDIR:
                store.rmdir(req.getRmdir().getPath(), gfid(req.getRmdir().getGfid()), time);
                return FopReply.newBuilder();
            case RENAME: {
                var c = req.getRename();
                return ok(store.rename(c.getFrom(), c.getTo(), gfid(c.getGfid()), c.getFlags(), time));
            }
            case READ: {
                var c = req.getRead();
                if (c.getStat()) {
                    PosixStore.ReadResult rr = store.readWithLookup(c.getPath(), gfid(c.getGfid()), c.getOffset(),
                            readLength(c.getLength()));
                    FopReply.Builder b = ok(rr.looked().attr()).setData(UnsafeByteOperations.unsafeWrap(rr.data()))
                            .setAfr(Wire.changelog(rr.looked().changelog()));
                    if (rr.looked().parent() != null) {
                        b.setParentAfr(Wire.changelog(rr.looked().parent()));
                    }
                    return b;
                }
                return FopReply.newBuilder().setData(UnsafeByteOperations.unsafeWrap(
                        store.read(c.getPath(), gfid(c.getGfid()), c.getOffset(), readLength(c.getLength()))));
            }
            case WRITE: {
                var c = req.getWrite();
                // a view of the request's frame, not a copy (see Frame.aliasedPayload)
                Attr a = store.write(c.getPath(), gfid(c.getGfid()), c.getOffset(),
                        c.getData().asReadOnlyByteBuffer(), c.getTruncate(), c.getSync() || syncWrites, time);
                return ok(a).setWritten(c.getData().size());
            }
            case TRUNCATE: {
                var c = req.getTruncate();
                return ok(store.truncate(c.getPath(), gfid(c.getGfid()), c.getSize(), time));
            }
            case FSYNC: {
                var c = req.getFsync();
                store.fsync(c.getPath(), gfid(c.getGfid()), c.getDatasync());
                return FopReply.newBuilder();
            }
            case SETATTR: {
                var c = req.getSetattr();
                int v = c.getValid();
                SetAttr s = new SetAttr((v & SetAttr.MODE) != 0 ? c.getMode() : null,
                        (v & SetAttr.UID) != 0 ? c.getUid() : null, (v & SetAttr.GID) != 0 ? c.getGid() : null,
                        (v & SetAttr.SIZE) != 0 ? c.getSize() : null,
                        (v & SetAttr.ATIME) != 0 ? Wire.time(c.getAtime()) : null,
                        (v & SetAttr.MTIME) != 0 ? Wire.time(c.getMtime()) : null, (v & SetAttr.ATIME_NOW) != 0,
                        (v & SetAttr.MTIME_NOW) != 0);
                return ok(store.setattr(c.getPath(), gfid(c.getGfid()), s, time));
            }
            case READDIR: {
                var c = req.getReaddir();
                DirPage page = store.readdir(c.getPath(), c.getCookie(), Math.max(1, Math.min(c.getMaxEntries(),
                        10_000)), c.getStat());
                FopReply.Builder b = FopReply.newBuilder().setEof(page.eof());
                for (DirEntry e : page.entries()) {
                    b.addEntries(Wire.dirEntry(e));
                }
                return b;
            }
            case GETXATTR:
                return FopReply.newBuilder().setData(ByteString.copyFrom(store.getxattr(req.getGetxattr().getPath(),
                        req.getGetxattr().getName())));
            case SETXATTR: {
                var c = req.getSetxattr();
                store.setxattr(c.getPath(), c.getName(), c.getValue().toByteArray(), c.getFlags());
                return FopReply.newBuilder();
            }
            case LISTXATTR:
                return FopReply.newBuilder().addAllNames(store.listxattr(req.getListxattr().getPath()));
            case REMOVEXATTR:
                store.removexattr(req.getRemovexattr().getPath(), req.getRemovexattr().getName());
                return FopReply.newBuilder();
            case STATFS:
                return FopReply.newBuilder().setStatfs(Wire.statfs(store.statfs()));
            case FALLOCATE: {
                var c = req.getFallocate();
                return ok(store.fallocate(c.getPath(), gfid(c.getGfid()), c.getMode(), c.getOffset(),
                        c.getLength(), time));
            }
            case MARK: {
                var m = req.getMark();
                for (Targets.Target t : Targets.of(m.getOp())) {
                    if (m.getDirty()) {
                        store.recordDirty(t.path(), t.kinds());
                    } else {
                        store.recordPending(t.path(), t.kinds(), m.getBricksList());
                    }
                }
                return FopReply.newBuilder();
            }
            case SET_GFID:
                return ok(store.setGfid(req.getSetGfid().getPath(), gfid(req.getSetGfid().getGfid())));
            case UNDO:
                store.undo(req.getUndo().getPath(), gfid(req.getUndo().getGfid()));
                return FopReply.newBuilder();
            case EVENTS: {
                EventJournal.Page p = events.after(req.getEvents().getAfter(), req.getEvents().getMax());
                return FopReply.newBuilder().addAllEvents(p.events()).setEventsLost(p.lost()).setTotal(p.last())
                        .setText(events.id());
            }
            default:
                return HealCalls.dispatch(req, store, healStatistics, brick.address().toString());
        }
    }

    // ------------------------------------------------------------------------------------------------ locks

    private FopReply lock(Lock l, Sessions.Session s) throws InterruptedException {
        if (l.getCmd() == LockCmd.UNRECOGNIZED || l.getType() == LockType.UNRECOGNIZED) {
            // an unknown type used to index past LockRequest.Type (an internal error), an unknown command to wait
            return FopReply.newBuilder().setErrno(Errno.EINVAL).setError("lock: unknown command "
                    + l.getCmdValue() + " or type " + l.getTypeValue()).build();
        }
        String inode;
        try {
            // a lock on a named gfid needs no look at the path: the file may have been renamed or unlinked since
            Gfid named = Wire.gfid(l.getGfid());
            Attr a = named != null ? null : store.stat(l.getPath());
            inode = named != null ? named.hex() : a.gfid() != null ? a.gfid().hex() : "ino:" + a.ino();
            if (l.getFlock()) {
                inode = "flock:" + inode; // a table of its own: POSIX locks of the file do not see flock's
            }
        } catch (FopException e) {
            return FopReply.newBuilder().setErrno(e.errno()).setError(e.getMessage()).build();
        }
        LockTable.Owner owner = new LockTable.Owner(s.id, l.getOwner());
        LockRequest.Type type = LockRequest.Type.values()[l.getTypeValue()];
        long end = LockTable.end(l.getStart(), l.getLength());
        if (l.getCmd() == LockCmd.GETLK) {
            LockResult r = locks.test(inode, owner, type, l.getStart(), end);
            return FopReply.newBuilder().setLock(LockInfo.newBuilder().setGranted(r.granted())
                    .setType(LockType.forNumber(r.type().ordinal())).setStart(r.start()).setLength(r.length())
                    .setPid(r.pid())).build();
        }
        if (type != LockRequest.Type.UNLOCK && locks.heldBy(s.id) >= maxLocksPerClient) {
            // the brick keeps every range in memory: one client may not make it keep without end
            return FopReply.newBuilder().setErrno(Errno.ENOLCK).setError(VolumePath.display(l.getPath()) + ": this"
                    + " client holds " + maxLocksPerClient + " locks on brick " + brick.address()
                    + " (max-locks-per-client)").build();
        }
        if (l.getCmd() == LockCmd.SETLK) {
            boolean ok = locks.trySet(inode, owner, type, l.getStart(), end, (int) l.getPid());
            return ok ? FopReply.newBuilder().setLock(LockInfo.newBuilder().setGranted(true)).build()
                    : FopReply.newBuilder().setErrno(Errno.EAGAIN).setError(Errno.describe(Errno.EAGAIN)).build();
        }
        CountDownLatch granted = new CountDownLatch(1);
        LockTable.Waiter w;
        try {
            // flock(2) does not detect deadlocks on Linux, and EDEADLK is none of its errors
            w = locks.set(inode, owner, type, l.getStart(), end, (int) l.getPid(), !l.getFlock(),
                    granted::countDown);
        } catch (FopException deadlock) {
            return FopReply.newBuilder().setErrno(deadlock.errno()).setError(VolumePath.display(l.getPath()) + ": "
                    + deadlock.getMessage()).build();
        }
        long wait = l.getWaitMillis() > 0 ? l.getWaitMillis() : DEFAULT_WAIT_MILLIS;
        if (granted.await(wait, TimeUnit.MILLISECONDS)) {
            return FopReply.newBuilder().setLock(LockInfo.newBuilder().setGranted(true)).build();
        }
        locks.cancel(w);
        // still waiting: the client asks again (the wait is split in slices so a dead brick is noticed)
        return FopReply.newBuilder().setLock(LockInfo.newBuilder().setGranted(false)).build();
    }
}
