package io.camelfs.mount;

import io.camelfs.posix.Posix;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import jnr.ffi.Pointer;

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
 */
final class DeferredReplies implements FuseLoop.Send {
    private static final int OUT_ERROR = 4;
    /**
     * By native thread, not a ThreadLocal: jffi detaches a libfuse thread after each of its first 1,000 callbacks,
     * so the reply may leave from another Java thread than the callback ran on.
     */
    private final Map<Long, IntSupplier> deferred = new ConcurrentHashMap<>();
    private final Object installing = new Object();
    /** Set once the loop runs: the channel, libfuse's own send and this hook's address. */
    private volatile Pointer chan;
    private long original;
    private long hook;
    private int waiting;

    /** Called by the loop once INIT's reply went out; until then callbacks do their work themselves. */
    void attach(Pointer chan, long original, long hook) {
        this.original = original;
        this.hook = hook;
        this.chan = chan;
    }

    boolean available() {
        return chan != null;
    }

    /**
     * From a callback about to return 0 (only then): work runs on this thread once the callback returned, and its
     * result (0 or -errno) is the reply's.
     */
    void defer(IntSupplier work) {
        synchronized (installing) {
            if (waiting++ == 0) {
                chan.putAddress(FuseLoop.CHAN_SEND, hook);
            }
        }
        deferred.put(Posix.nativeThread(), work);
    }

    @Override
    public int send(Pointer ch, Pointer iov, long count) {
        IntSupplier work = deferred.remove(Posix.nativeThread());
        if (work != null) {
            try {
                int error = work.getAsInt();
                iov.getPointer(0).putInt(OUT_ERROR, error); // the reply is its out header alone
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
