package io.camelfs.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.posix.Posix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock wait deferred past its callback: the reply that leaves carries the wait's outcome, other threads' replies
 * leave untouched, and libfuse's own send is back in the channel once no thread has work deferred.
 */
class DeferredRepliesTest {
    private static final Runtime RT = Runtime.getSystemRuntime();
    private static final long LIBFUSE_SEND = 0x1111;
    private static final long HOOK = 0x2222;
    @TempDir
    Path dir;
    private final Pointer chan = Memory.allocateDirect(RT, 48);
    private final DeferredReplies deferred = new DeferredReplies();
    private Path sent;
    private int fd;
    /** The requests (fuse_req addresses) libfuse would report interrupted. */
    private final Set<Long> interrupted = new HashSet<>();

    @BeforeEach
    void channelWritingToAFile() {
        sent = dir.resolve("dev-fuse");
        fd = Posix.openat(Posix.AT_FDCWD, sent.toString(), Posix.O_WRONLY | Posix.O_CREAT, 0644);
        chan.putAddress(FuseLoop.CHAN_SEND, LIBFUSE_SEND);
        chan.putInt(FuseLoop.CHAN_FD, fd);
    }

    @AfterEach
    void close() {
        Posix.close(fd);
    }

    /** A reply as libfuse sends an error or an empty success: its 16-byte out header alone. */
    private static Pointer reply(long unique, int error) {
        Pointer header = Memory.allocateDirect(RT, 16);
        header.putInt(0, 16);
        header.putInt(4, error);
        header.putLong(8, unique);
        Pointer iov = Memory.allocateDirect(RT, 16);
        iov.putAddress(0, header.address());
        iov.putLong(8, 16);
        return iov;
    }

    /** The (unique, error) pairs written to the channel, in order. */
    private List<long[]> written() throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(sent)).order(ByteOrder.nativeOrder());
        List<long[]> out = new ArrayList<>();
        while (b.remaining() >= 16) {
            assertEquals(16, b.getInt());
            int error = b.getInt();
            out.add(new long[] {b.getLong(), error});
        }
        return out;
    }

    @Test
    void theDeferredWorkDecidesTheReplyAndTheChannelGetsLibfusesSendBack() throws Exception {
        assertFalse(deferred.available(), "before the loop runs callbacks do their work themselves");
        deferred.attach(chan, LIBFUSE_SEND, HOOK, interrupted::contains);
        assertTrue(deferred.available());
        int[] ran = new int[1];
        deferred.defer(null, interrupted -> {
            ran[0]++;
            return -11;
        });
        assertEquals(HOOK, chan.getAddress(FuseLoop.CHAN_SEND), "replies go through the hook while work waits");
        assertEquals(0, deferred.send(chan, reply(7, 0), 1));
        assertEquals(1, ran[0]);
        assertEquals(LIBFUSE_SEND, chan.getAddress(FuseLoop.CHAN_SEND));
        List<long[]> w = written();
        assertEquals(1, w.size());
        assertEquals(7, w.get(0)[0]);
        assertEquals(-11, w.get(0)[1], "the wait's outcome, not the callback's 0");
    }

    @Test
    void otherThreadsRepliesLeaveAsTheyAreWhileOneWaits() throws Exception {
        deferred.attach(chan, LIBFUSE_SEND, HOOK, interrupted::contains);
        CompletableFuture<Void> waitingThread = new CompletableFuture<>();
        deferred.defer(null, interrupted -> {
            waitingThread.complete(null);
            return 0;
        });
        int other = CompletableFuture.supplyAsync(() -> deferred.send(chan, reply(8, -2), 1)).get();
        assertEquals(0, other);
        assertFalse(waitingThread.isDone(), "another thread's reply does not run this thread's work");
        assertEquals(HOOK, chan.getAddress(FuseLoop.CHAN_SEND), "still installed: this thread's reply is to come");
        deferred.send(chan, reply(9, 0), 1);
        assertTrue(waitingThread.isDone());
        assertEquals(LIBFUSE_SEND, chan.getAddress(FuseLoop.CHAN_SEND));
        List<long[]> w = written();
        assertEquals(2, w.size());
        assertEquals(8, w.get(0)[0]);
        assertEquals(-2, w.get(0)[1], "untouched");
        assertEquals(9, w.get(1)[0]);
        assertEquals(0, w.get(1)[1]);
    }

    /** A fuse context (libfuse 2.9's fuse_context_i) naming a request with this unique id. */
    private static Pointer contextOf(long unique) {
        Pointer request = Memory.allocateDirect(RT, 64, true);
        request.putLong(8, unique);
        Pointer context = Memory.allocateDirect(RT, 48, true);
        context.putAddress(40, request.address());
        return context;
    }

    @Test
    void theWorkLearnsWhetherItsRequestWasInterrupted() throws Exception {
        deferred.attach(chan, LIBFUSE_SEND, HOOK, interrupted::contains);
        Pointer context = contextOf(21);
        interrupted.add(context.getLong(40));
        List<Boolean> seen = new ArrayList<>();
        deferred.defer(context, i -> {
            seen.add(i.getAsBoolean());
            return i.getAsBoolean() ? -4 : 0;
        });
        deferred.send(chan, reply(21, 0), 1);
        // a context whose request is not the one the reply answers (another layout): never reported interrupted
        Pointer stranger = contextOf(99);
        interrupted.add(stranger.getLong(40));
        deferred.defer(stranger, i -> {
            seen.add(i.getAsBoolean());
            return 0;
        });
        deferred.send(chan, reply(22, 0), 1);
        assertEquals(List.of(true, false), seen);
        List<long[]> w = written();
        assertEquals(-4, w.get(0)[1], "EINTR: the interrupted wait's outcome");
        assertEquals(0, w.get(1)[1]);
    }
}
