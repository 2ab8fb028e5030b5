package io.camelfs.mount;

import io.camelfs.posix.Posix;
import java.lang.ref.Reference;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * libfuse 2's mount, serve and unmount, done step by step instead of by {@code fuse_main_real}, so that the kernel
 * may send writes of up to {@link #WRITE_BYTES} in one request instead of 128 KiB.
 *
 * <p>Why: without writeback caching the kernel sends a writer's data one request at a time and waits for each, so a
 * request's fixed cost (two wake-ups in the mount, a replicated round trip) is paid per 128 KiB. Kernels since 4.20
 * take up to 256 pages per request when the daemon's INIT reply carries {@code FUSE_MAX_PAGES}, but libfuse 2.9
 * predates that flag: it reads into buffers of 132 KiB, caps {@code max_write} to fit them, and passes on no INIT
 * flag it does not know. Between {@code fuse_setup} and the loop this class gives the channel larger buffers (the
 * loop allocates each worker's from the channel's size), and the INIT reply, the first message libfuse sends, gets
 * the flag and the page count on its way out. Both are checked before they are done; where a check fails (another
 * libfuse build) the mount serves 128 KiB requests as before and says so in its log.
 */
final class FuseLoop {
    private static final Logger LOG = LoggerFactory.getLogger(FuseLoop.class);
    /** The largest write the kernel may send in one request (its limit: 256 pages). */
    static final int WRITE_BYTES = 1 << 20;
    /** Room libfuse keeps in a buffer for the request's headers (it subtracts this from the buffer's size). */
    private static final int HEADER_ROOM = 4096;
    /** The kernel's INIT flag for a page count in the reply, and the reply's fields (struct fuse_init_out). */
    private static final int FUSE_MAX_PAGES = 1 << 22;
    private static final int INIT_OUT_FLAGS = 12;
    private static final int INIT_OUT_MAX_WRITE = 20;
    private static final int INIT_OUT_MAX_PAGES = 28;
    private static final int OUT_HEADER = 16;
    private static final int IOVEC = 16;
    private static final int PAGE = 4096;
    private static final int INIT_OUT_SIZE = 64;
    /** libfuse 2.9's channel: op.receive, op.send, op.destroy, session, fd, bufsize. */
    static final int CHAN_SEND = 8;
    static final int CHAN_FD = 32;
    private static final int CHAN_BUFSIZE = 40;

    /** The libfuse 2 calls fuse_main_real makes, bound by jnr as jnr-fuse binds fuse_main_real itself. */
    public interface Libfuse {
        Pointer fuse_setup(int argc, String[] argv, FuseOperations op, long opSize, PointerByReference mountpoint,
                IntByReference multithreaded, Pointer userData);

        Pointer fuse_get_session(Pointer fuse);

        Pointer fuse_session_next_chan(Pointer session, Pointer chan);

        int fuse_chan_fd(Pointer chan);

        long fuse_chan_bufsize(Pointer chan);

        int fuse_loop_mt(Pointer fuse);

        void fuse_teardown(Pointer fuse, Pointer mountpoint);

        int fuse_req_interrupted(Pointer req);
    }

    /** libfuse's channel send operation: {@code int send(struct fuse_chan *, const struct iovec *, size_t)}. */
    public interface Send {
        @Delegate
        int send(Pointer chan, Pointer iov, long count);
    }

    private FuseLoop() {
    }

    /**
     * Mounts, serves until unmounted or signalled, unmounts; argv as for fuse_main_real (multithreaded: no -s).
     *
     * @return 0 after a clean unmount, 1 if libfuse could not mount or its loop failed
     */
    static int run(FuseOperations ops, String[] argv, DeferredReplies deferred) {
        Libfuse fuse = LibraryLoader.create(Libfuse.class).failImmediately().load("fuse");
        PointerByReference mountpoint = new PointerByReference();
        IntByReference multithreaded = new IntByReference();
        Pointer f = fuse.fuse_setup(argv.length, argv, ops, jnr.ffi.Struct.size(ops), mountpoint, multithreaded,
                null);
        if (f == null) {
            return 1;
        }
        FirstReply hook = null;
        try {
            try {
                hook = widen(fuse, fuse.fuse_session_next_chan(fuse.fuse_get_session(f), null), deferred);
            } catch (RuntimeException e) {
                LOG.warn("writes reach the mount in requests of at most 128 KiB: {}", e.toString());
            }
            return fuse.fuse_loop_mt(f) == -1 ? 1 : 0;
        } finally {
            fuse.fuse_teardown(f, mountpoint.getValue());
            // libfuse may call the hook through a pointer the JVM does not know of until the loop has ended
            Reference.reachabilityFence(hook);
            Reference.reachabilityFence(deferred);
        }
    }

    /**
     * Larger buffers for the channel, the hook for INIT's reply, and deferred's hook attached; null (and a log line) if
     * the channel is unknown.
     */
    private static FirstReply widen(Libfuse fuse, Pointer chan, DeferredReplies deferred) {
        int fd = fuse.fuse_chan_fd(chan);
        long bufsize = fuse.fuse_chan_bufsize(chan);
        if (chan.getInt(CHAN_FD) != fd || chan.getLong(CHAN_BUFSIZE) != bufsize || bufsize > WRITE_BYTES) {
            LOG.info("libfuse's channel is not laid out as libfuse 2.9's (fd {}, buffer {} bytes): writes reach the"
                    + " mount in requests of at most 128 KiB", fd, bufsize);
            return null;
        }
        Runtime rt = Runtime.getSystemRuntime();
        FirstReply hook = new FirstReply(chan.getAddress(CHAN_SEND));
        long send = rt.getClosureManager().getClosurePointer(Send.class, hook).address();
        deferred.attach(chan, hook.original, rt.getClosureManager().getClosurePointer(Send.class, deferred).address(),
                req -> fuse.fuse_req_interrupted(Pointer.wrap(rt, req)) != 0);
        chan.putLong(CHAN_BUFSIZE, WRITE_BYTES + HEADER_ROOM);
        chan.putAddress(CHAN_SEND, send);
        return hook;
    }

    /**
     * Sends the channel's first message, INIT's reply (nothing else is answered before it), with the page count,
     * and puts libfuse's own send operation back for every later one.
     */
    private static final class FirstReply implements Send {
        private final long original;
        private final Pointer reply = Memory.allocateDirect(Runtime.getSystemRuntime(), INIT_OUT_SIZE, true);
        private final Pointer iov = Memory.allocateDirect(Runtime.getSystemRuntime(), 2 * IOVEC, true);

        FirstReply(long original) {
            this.original = original;
        }

        @Override
        public int send(Pointer chan, Pointer given, long count) {
            chan.putAddress(CHAN_SEND, original);
            Pointer out = given;
            try {
                out = withPageCount(given, count, reply, iov);
            } catch (RuntimeException e) {
                LOG.warn("INIT's reply goes out as libfuse made it (writes of at most 128 KiB): {}", e.toString());
            }
            return sendAsLibfuse(chan, out, count);
        }
    }

    /** What libfuse's own send does with a message: one writev to the channel's device; 0, or -errno. */
    static int sendAsLibfuse(Pointer chan, Pointer iov, long count) {
        long n = Posix.tryWritev(chan.getInt(CHAN_FD), iov, (int) count);
        return n >= 0 ? 0 : (int) n;
    }

    /**
     * INIT's reply with the page flag and count, in reply (64 bytes) and iov (two iovecs), or given itself if it is
     * not a successful INIT reply. libfuse 2.9 answers in its 24-byte version of the structure, which ends before the
     * page count, so the reply is copied into the kernel's full 64 bytes; the kernel zeroes what a shorter reply
     * leaves out, so the fields after libfuse's read as 0 either way.
     */
    static Pointer withPageCount(Pointer given, long count, Pointer reply, Pointer iov) {
        if (count != 2 || given.getLong(8) != OUT_HEADER) {
            return given;
        }
        Pointer header = given.getPointer(0);
        long size = given.getLong(IOVEC + 8);
        if (header.getInt(4) != 0 || size > INIT_OUT_SIZE || size < INIT_OUT_FLAGS + 4) {
            return given;
        }
        reply.setMemory(0, INIT_OUT_SIZE, (byte) 0);
        reply.transferFrom(0, given.getPointer(IOVEC), 0, size);
        reply.putInt(INIT_OUT_FLAGS, reply.getInt(INIT_OUT_FLAGS) | FUSE_MAX_PAGES);
        reply.putShort(INIT_OUT_MAX_PAGES, (short) (WRITE_BYTES / PAGE));
        header.putInt(0, OUT_HEADER + INIT_OUT_SIZE);
        iov.putAddress(0, header.address());
        iov.putLong(8, OUT_HEADER);
        iov.putAddress(IOVEC, reply.address());
        iov.putLong(IOVEC + 8, INIT_OUT_SIZE);
        LOG.info("INIT: writes of up to {} bytes ({} pages) per request", reply.getInt(INIT_OUT_MAX_WRITE),
                WRITE_BYTES / PAGE);
        return iov;
    }
}
