package io.camelfs.mount;

import io.camelfs.posix.Posix;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Work a callback leaves for after libfuse has released its locks on the request's path and before the reply goes
 * out: a lock wait (F_SETLKW) that would otherwise hold the path for as long as the lock stays taken.
 *
 * <p>Why: libfuse 2 keeps a request's path locked for the whole callback, and once an unlink or rename of that file
 * waits for the path, every later request on it waits too. A waiting lock callback then stopped the holder's own
 * unlock (which needs the path) from ever running: the holder, the waiter and the unlinker hung for good. Deferred,
 * the wait runs where libfuse sends the callback's reply, with the path free, and the reply carries its outcome.
 *
 * <p>libfuse records a lock as taken when its callback returns 0, so while the wait lasts, and after a wait that
 * failed (the file unlinked meanwhile, no brick left) until the owner unlocks or closes, its F_GETLK answers other
 * owners on this mount from that record as if the lock were held.
 *
 * <p>The hook goes into libfuse's channel only while some thread has work deferred (libfuse reads the channel's send
 * operation on every reply), so at other times replies leave as libfuse sends them, without a call into Java.
 *
 * <p>The work can ask whether the kernel has asked to interrupt the request (FUSE_INTERRUPT: the waiting process got
 * a signal, kill -9 included). The kernel keeps a killed process in D state until its request is answered, and a
 * lock wait may last for ever: without this, a process killed while waiting for a lock could not die.
 */
final class DeferredReplies implements FuseLoop.Send {
    private static final int OUT_ERROR = 4;
    private static final int OUT_UNIQUE = 8;
    /** libfuse 2.9: its thread's fuse_context_i is the fuse_context (40 bytes) and then the request's fuse_req. */
    private static final int CONTEXT_REQUEST = 40;
    /** libfuse 2.9's fuse_req: the session, then the request's unique id. */
    private static final int REQUEST_UNIQUE = 8;

    /** Work deferred past a callback; the result (0 or -errno) is the reply's. */
    @FunctionalInterface
    interface Work {
        int run(BooleanSupplier interrupted);
    }

    /** request: libfuse's fuse_req of the callback, 0 if unknown. */
    private record Deferred(long request, Work work) {
    }

    /**
     * By native thread, not a ThreadLocal: jffi detaches a libfuse thread after each of its first 1,000 callbacks,
     * so the reply may leave from another Java thread than the callback ran on.
     */
    private final Map<Long, Deferred> deferred = new ConcurrentHashMap<>();
    private final Object installing = new Object();
    /** Set once the loop runs: the channel, libfuse's own send and this hook's address. */
    private volatile Pointer chan;
    private long original;
    private long hook;
    private LongPredicate interrupted;
    private int waiting;

    /**
     * Called by the loop once INIT's reply went out; until then callbacks do their work themselves.
     *
     * @param interrupted libfuse's fuse_req_interrupted, by the request's address
     */
    void attach(Pointer chan, long original, long hook, LongPredicate interrupted) {
        this.original = original;
        this.hook = hook;
        this.interrupted = interrupted;
        this.chan = chan;
    }

    boolean available() {
        return chan != null;
    }

    /**
     * From a callback about to return 0 (only then): work runs on this thread once the callback returned, and its
     * result (0 or -errno) is the reply's.
     *
     * @param context the callback's fuse context (fuse_get_context), which names its request; null if unknown
     */
    void defer(Pointer context, Work work) {
        synchronized (installing) {
            if (waiting++ == 0) {
                chan.putAddress(FuseLoop.CHAN_SEND, hook);
            }
        }
        deferred.put(Posix.nativeThread(), new Deferred(context == null ? 0 : context.getLong(CONTEXT_REQUEST), work));
    }

    @Override
    public int send(Pointer ch, Pointer iov, long count) {
        Deferred d = deferred.remove(Posix.nativeThread());
        if (d != null) {
            try {
                Pointer header = iov.getPointer(0);
                long request = d.request();
                // asked only of the request this reply answers: a check that libfuse is laid out as 2.9 is
                boolean known = request != 0
                        && Pointer.wrap(Runtime.getSystemRuntime(), request).getLong(REQUEST_UNIQUE)
                        == header.getLong(OUT_UNIQUE);
                int error = d.work().run(known ? () -> interrupted.test(request) : () -> false);
                header.putInt(OUT_ERROR, error); // the reply is its out header alone
            } finally {
                synchronized (installing) {
                    if (--waiting == 0) {
                        ch.putAddress(FuseLoop.CHAN_SEND, original);
                    }
                }
            }
        }
        return FuseLoop.sendAsLibfuse(ch, iov, count);
    }
}
