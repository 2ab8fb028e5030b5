package io.camelfs.brick;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.camelfs.fop.Attr;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.LockRequest;
import io.camelfs.fop.LockResult;
import io.camelfs.fop.SetAttr;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.BrickGrpc;
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
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The brick end of the brick protocol. Each request passes the same short pipeline: session bookkeeping (settled
 * watermark, unsettled-op memory), lease check, the posix operation, then the changelog blame the client folded
 * into the header. One request, one reply, one round trip.
 */
final class BrickService extends BrickGrpc.BrickImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(BrickService.class);

    private final BrickServer brick;
    private final PosixStore store;
    private final LeaseTable leases;
    private final LockTable locks;
    private final Sessions sessions;
    private final boolean syncWrites;

    BrickService(BrickServer brick, PosixStore store, LeaseTable leases, LockTable locks, Sessions sessions,
            boolean syncWrites) {
        this.brick = brick;
        this.store = store;
        this.leases = leases;
        this.locks = locks;
        this.sessions = sessions;
        this.syncWrites = syncWrites;
    }

    // ---------------------------------------------------------------------------------------------- session

    @Override
    public void hello(HelloRequest req, StreamObserver<HelloReply> out) {
        if (!req.getVolume().equals(brick.volume().name())) {
            out.onError(Status.NOT_FOUND.withDescription("brick " + brick.address() + " serves volume '"
                    + brick.volume().name() + "', not '" + req.getVolume() + "'").asRuntimeException());
            return;
        }
        if (req.getProtocol() != Wire.PROTOCOL) {
            out.onError(Status.FAILED_PRECONDITION.withDescription("brick " + brick.address()
                    + " speaks brick protocol " + Wire.PROTOCOL + ", client speaks " + req.getProtocol())
                    .asRuntimeException());
            return;
        }
        Sessions.Session s = sessions.touch(req.getSession());
        s.client = req.getClient();
        out.onNext(HelloReply.newBuilder().setVolume(brick.volume().name()).setBrickIndex(brick.index())
                .setBrickId(store.root().brickId()).setEpoch(brick.epoch()).setProtocol(Wire.PROTOCOL).build());
        out.onCompleted();
    }

    @Override
    public void volume(VolumeRequest req, StreamObserver<VolumeReply> out) {
        if (!req.getVolume().equals(brick.volume().name())) {
            out.onError(Status.NOT_FOUND.withDescription("no volume '" + req.getVolume() + "' at "
                    + brick.address() + " (this brick serves '" + brick.volume().name() + "')").asRuntimeException());
            return;
        }
        out.onNext(VolumeReply.newBuilder().setSpec(Wire.volume(brick.volume())).build());
        out.onCompleted();
    }

    @Override
    public void ping(PingRequest req, StreamObserver<PingReply> out) {
        if (!req.getSession().isEmpty()) {
            Sessions.Session s = sessions.touch(req.getSession());
            s.settle(req.getSettled());
            if (req.getGoodbye()) {
                sessions.expire(s.id, brick::sessionEnded);
            }
        }
        out.onNext(PingReply.newBuilder().setEpoch(brick.epoch()).setTimeMillis(System.currentTimeMillis()).build());
        out.onCompleted();
    }

    @Override
    public void upcalls(UpcallRequest req, StreamObserver<Upcall> out) {
        Sessions.Session s = sessions.touch(req.getSession());
        ServerCallStreamObserver<Upcall> obs = (ServerCallStreamObserver<Upcall>) out;
        obs.setOnCancelHandler(() -> {
            if (s.upcalls == obs) {
                s.upcalls = null;
                s.disconnectedAt = System.currentTimeMillis();
                brick.listener().clientDisconnected(brick, s.client);
            }
        });
        s.upcalls = obs;
        s.disconnectedAt = 0;
        brick.listener().clientConnected(brick, s.client);
    }

    /** Asks a session to release a lease (LeaseTable's recaller). */
    void recall(ByteString session, String key) {
        Sessions.Session s = sessions.get(session);
        StreamObserver<Upcall> up = s == null ? null : s.upcalls;
        if (up == null) {
            return; // a vanished client is released when its grace period ends
        }
        synchronized (up) {
            try {
                up.onNext(Upcall.newBuilder().addRecall(key).build());
            } catch (RuntimeException e) {
                LOG.debug("recall of {} to {} failed: {}", key, s.client, e.toString());
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- leases

    @Override
    public void acquire(LeaseRequest req, StreamObserver<LeaseReply> out) {
        Sessions.Session s = sessions.touch(req.getSession());
        List<String> keys = req.getKeysList();
        if (!req.getWait()) {
            boolean ok = leases.enterAcquire(s.id, keys);
            if (ok) {
                leases.exit(keys);
            }
            LeaseReply.Builder r = LeaseReply.newBuilder();
            if (ok) {
                r.addAllGranted(keys);
            } else {
                r.addAllDenied(keys);
            }
            out.onNext(r.build());
            out.onCompleted();
            return;
        }
        ServerCallStreamObserver<LeaseReply> obs = (ServerCallStreamObserver<LeaseReply>) out;
        LeaseTable.Waiter[] w = new LeaseTable.Waiter[1];
        obs.setOnCancelHandler(() -> {
            if (w[0] != null) {
                leases.cancel(w[0]);
            }
        });
        w[0] = leases.acquire(s.id, keys, () -> {
            try {
                obs.onNext(LeaseReply.newBuilder().addAllGranted(keys).build());
                obs.onCompleted();
            } catch (RuntimeException e) {
                // the client gave up waiting; it learns of the grant through a recall later
            }
        });
    }

    @Override
    public void release(LeaseRequest req, StreamObserver<LeaseReply> out) {
        Sessions.Session s = sessions.touch(req.getSession());
        List<String> released = leases.release(s.id, req.getKeysList());
        out.onNext(LeaseReply.newBuilder().addAllGranted(released).build());
        out.onCompleted();
    }

    // ------------------------------------------------------------------------------------------------ calls

    @Override
    public void call(FopRequest req, StreamObserver<FopReply> out) {
        Header h = req.getHeader();
        Sessions.Session s = sessions.touch(h.getSession());
        if (h.getSettled() > 0) {
            s.settle(h.getSettled());
        }
        if (req.getOpCase() == FopRequest.OpCase.LOCK) {
            lock(req.getLock(), s, (ServerCallStreamObserver<FopReply>) out);
            return;
        }
        boolean mutating = Targets.mutating(req);
        List<String> keys = h.getLeasesList();
        boolean entered = false;
        if (mutating && h.getLeaseMode() != LeaseMode.LEASE_NONE) {
            boolean held = h.getLeaseMode() == LeaseMode.LEASE_HELD;
            entered = held ? leases.enterHeld(s.id, keys) : leases.enterAcquire(s.id, keys);
            if (!entered) {
                reply(out, FopReply.newBuilder().setLease(held ? LeaseStatus.LEASE_LOST : LeaseStatus.LEASE_DENIED)
                        .build());
                return;
            }
        }
        long start = System.nanoTime();
        FopReply.Builder r;
        try {
            List<Targets.Target> targets = mutating ? Targets.of(req) : List.of();
            if (mutating && h.getSeq() > 0) {
                s.begin(h.getSeq(), targets);
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
            }
        }
        FopReply reply = r.build();
        brick.listener().operation(brick, req.getOpCase().name().toLowerCase(java.util.Locale.ROOT),
                System.nanoTime() - start, reply.getErrno(), req.getSerializedSize(), reply.getSerializedSize());
        reply(out, reply);
    }

    private static void reply(StreamObserver<FopReply> out, FopReply r) {
        out.onNext(r);
        out.onCompleted();
    }

    private static Gfid gfid(ByteString b) {
        return Wire.gfid(b);
    }

    private static FopReply.Builder ok(Attr a) {
        return FopReply.newBuilder().setStat(Wire.stat(a));
    }

    private FopReply.Builder dispatch(FopRequest req, Header h) {
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
                        c.getData().isEmpty() ? null : c.getData().toByteArray(), c.getSync() || syncWrites));
            }
            case MKDIR: {
                var c = req.getMkdir();
                return ok(store.mkdir(c.getPath(), gfid(c.getGfid()), c.getMode(), h.getUid(), h.getGid()));
            }
            case MKNOD: {
                var c = req.getMknod();
                return ok(store.mknod(c.getPath(), gfid(c.getGfid()), c.getMode(), c.getRdev(), h.getUid(),
                        h.getGid()));
            }
            case SYMLINK: {
                var c = req.getSymlink();
                return ok(store.symlink(c.getPath(), c.getTarget(), h.getUid(), h.getGid()));
            }
            case READLINK:
                return FopReply.newBuilder().setText(store.readlink(req.getReadlink().getPath()));
            case LINK: {
                var c = req.getLink();
                return ok(store.link(c.getExisting(), c.getPath(), gfid(c.getGfid())));
            }
            case UNLINK:
                store.unlink(req.getUnlink().getPath(), gfid(req.getUnlink().getGfid()));
                return FopReply.newBuilder();
            case RMDIR:
                store.rmdir(req.getRmdir().getPath(), gfid(req.getRmdir().getGfid()));
                return FopReply.newBuilder();
            case RENAME: {
                var c = req.getRename();
                return ok(store.rename(c.getFrom(), c.getTo(), gfid(c.getGfid()), c.getFlags()));
            }
            case READ: {
                var c = req.getRead();
                if (c.getStat()) {
                    PosixStore.ReadResult rr = store.readWithLookup(c.getPath(), gfid(c.getGfid()), c.getOffset(),
                            c.getLength());
                    FopReply.Builder b = ok(rr.looked().attr()).setData(UnsafeByteOperations.unsafeWrap(rr.data()))
                            .setAfr(Wire.changelog(rr.looked().changelog()));
                    if (rr.looked().parent() != null) {
                        b.setParentAfr(Wire.changelog(rr.looked().parent()));
                    }
                    return b;
                }
                return FopReply.newBuilder().setData(UnsafeByteOperations.unsafeWrap(
                        store.read(c.getPath(), gfid(c.getGfid()), c.getOffset(), c.getLength())));
            }
            case WRITE: {
                var c = req.getWrite();
                Attr a = store.write(c.getPath(), gfid(c.getGfid()), c.getOffset(), c.getData().toByteArray(),
                        c.getTruncate(), c.getSync() || syncWrites);
                return ok(a).setWritten(c.getData().size());
            }
            case TRUNCATE: {
                var c = req.getTruncate();
                return ok(store.truncate(c.getPath(), gfid(c.getGfid()), c.getSize()));
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
                return ok(store.setattr(c.getPath(), gfid(c.getGfid()), s));
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
                        c.getLength()));
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
            default:
                throw new FopException(Errno.ENOSYS, "operation " + req.getOpCase() + " not supported by brick "
                        + brick.address());
        }
    }

    // ------------------------------------------------------------------------------------------------ locks

    private void lock(Lock l, Sessions.Session s, ServerCallStreamObserver<FopReply> out) {
        String inode;
        try {
            Attr a = store.stat(l.getPath());
            inode = a.gfid() != null ? a.gfid().hex() : "ino:" + a.ino();
        } catch (FopException e) {
            reply(out, FopReply.newBuilder().setErrno(e.errno()).setError(e.getMessage()).build());
            return;
        }
        LockTable.Owner owner = new LockTable.Owner(s.id, l.getOwner());
        LockRequest.Type type = LockRequest.Type.values()[l.getTypeValue()];
        long end = LockTable.end(l.getStart(), l.getLength());
        if (l.getCmd() == LockCmd.GETLK) {
            LockResult r = locks.test(inode, owner, type, l.getStart(), end);
            reply(out, FopReply.newBuilder().setLock(LockInfo.newBuilder().setGranted(r.granted())
                    .setType(LockType.forNumber(r.type().ordinal())).setStart(r.start()).setLength(r.length())
                    .setPid(r.pid())).build());
            return;
        }
        if (l.getCmd() == LockCmd.SETLK) {
            boolean ok = locks.trySet(inode, owner, type, l.getStart(), end, (int) l.getPid());
            reply(out, ok ? FopReply.newBuilder().setLock(LockInfo.newBuilder().setGranted(true)).build()
                    : FopReply.newBuilder().setErrno(Errno.EAGAIN).setError(Errno.describe(Errno.EAGAIN)).build());
            return;
        }
        LockTable.Waiter[] w = new LockTable.Waiter[1];
        out.setOnCancelHandler(() -> {
            if (w[0] != null) {
                locks.cancel(w[0]);
            }
        });
        w[0] = locks.set(inode, owner, type, l.getStart(), end, (int) l.getPid(), () -> {
            try {
                reply(out, FopReply.newBuilder().setLock(LockInfo.newBuilder().setGranted(true)).build());
            } catch (RuntimeException e) {
                // cancelled meanwhile: the client retries, and its lock is already held
            }
        });
    }
}
