package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.camelfs.afr.Replicate;
import io.camelfs.fop.FileType;
import io.camelfs.fop.SetAttr;
import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Method;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.LeaseRequest;
import io.camelfs.protocol.v1.LeaseStatus;
import io.camelfs.protocol.v1.LockCmd;
import io.camelfs.protocol.v1.PingRequest;
import io.camelfs.testing.BrickInspector;
import io.camelfs.testing.LocalVolume;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protocol robustness: a seeded mutational fuzzer sends malformed, truncated, oversized and out-of-order input to a
 * brick over raw sockets, and checks throughout that the brick never dies, that its memory follows what clients
 * actually send, that a well-behaved client keeps being served, and that a rejected request changes nothing on
 * disk. Rerun a failure with -Dcamelfs.fuzz.seed=SEED; -Dcamelfs.fuzz.seconds and -Dcamelfs.fuzz.inputs bound the
 * run (12 s, 30000 inputs by default).
 */
class ProtocolFuzzTest {
    private static final int PROBE_EVERY = 200;
    private static final int HEAP_EVERY = 1000;
    private static final int REPLY_TIMEOUT = 10_000;
    /** Fuzzed files stay below this size, so snapshots stay cheap and the disk is never filled. */
    private static final long FILE_LIMIT = 1 << 20;
    /** Live heap may grow by this much over the run: sessions and leases of fuzz clients, journal pages. */
    private static final long HEAP_GROWTH_LIMIT = 256L << 20;
    private static final int MAX_STALLED = 12;

    @TempDir
    Path tmp;
    private LocalVolume volume;
    private Path brick;
    private int port;
    private BrickThreads threads;
    private final List<String> deaths = new ArrayList<>();
    private Thread.UncaughtExceptionHandler previousHandler;

    @BeforeEach
    void start() throws IOException {
        volume = new LocalVolume(tmp.resolve("v"), 1);
        brick = volume.dirs.get(0);
        port = volume.spec.bricks().get(0).port();
        threads = new BrickThreads(port);
        // an exception that escapes a brick thread kills it silently: record it instead
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            synchronized (deaths) {
                deaths.add(t.getName() + ": " + e);
            }
        });
    }

    @AfterEach
    void stop() {
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
        volume.close();
    }

    @Test
    void malformedTruncatedOversizedAndOutOfOrderInputs() throws Exception {
        long seed = Long.getLong("camelfs.fuzz.seed", new SecureRandom().nextLong());
        long budgetMillis = Long.getLong("camelfs.fuzz.seconds", 12) * 1000;
        long maxInputs = Long.getLong("camelfs.fuzz.inputs", 30_000);
        System.out.println("ProtocolFuzzTest: seed " + seed + " (rerun with -Dcamelfs.fuzz.seed=" + seed + ")");
        Run run = new Run(seed);
        try (Replicate probe = volume.client()) {
            LocalVolume.awaitUp(probe, 1, 5000);
            run.go(probe, budgetMillis, maxInputs);
        } finally {
            System.out.println("ProtocolFuzzTest: " + run.tally);
        }
        assertTrue(run.tally.inputs > 0, "no input was tried");
    }

    /** One fuzz run: the generator, the connections it uses, and what it has seen. */
    private final class Run {
        final long seed;
        final FrameMutator mutator;
        /** The run's own choices (close, half-close or stall a cut connection), apart from the inputs. */
        final Random choices;
        final Tally tally = new Tally();
        final Deque<RawConnection> stalled = new ArrayDeque<>();
        RawConnection conn;
        Map<String, String> disk;
        FrameMutator.Input input;
        /** What the brick answered to the current input, for the failure message. */
        final List<String> answers = new ArrayList<>();
        long heapBaseline;

        Run(long seed) throws IOException {
            this.seed = seed;
            this.choices = new Random(~seed);
            this.tally.seed = seed;
            FuzzCorpus corpus = new FuzzCorpus(volume.spec.name(), seed);
            try (RawConnection c = new RawConnection(port)) {
                for (FopRequest op : corpus.fixture()) {
                    FopReply r = c.call(op);
                    assertTrue(r.getErrno() == 0, op.getOpCase() + ": " + r.getError());
                }
            }
            this.mutator = new FrameMutator(seed, corpus.seeds());
        }

        void go(Replicate probe, long budgetMillis, long maxInputs) throws Exception {
            int threadsBefore = threads.count();
            heapBaseline = usedHeapAfterGc();
            tally.heapBaseline = heapBaseline;
            disk = BrickInspector.snapshot(brick, true);
            long start = System.currentTimeMillis();
            try {
                while (tally.inputs < maxInputs && System.currentTimeMillis() - start < budgetMillis) {
                    input = mutator.next();
                    InputFrames parsed = InputFrames.parse(input.bytes());
                    String heavy = tooHeavy(parsed);
                    if (heavy != null) {
                        tally.skipped++;
                        continue;
                    }
                    tally.inputs++;
                    one(parsed);
                    if (tally.inputs % PROBE_EVERY == 0) {
                        probe(probe);
                    }
                    if (tally.inputs % HEAP_EVERY == 0) {
                        checkHeap();
                    }
                    checkNoDeaths();
                }
                checkHeap(); // with the stalled connections still open
            } finally {
                tally.millis = System.currentTimeMillis() - start;
                closeAll();
            }
            probe(probe);
            long end = System.currentTimeMillis() + 10_000;
            while (threads.count() > threadsBefore + 2 && System.currentTimeMillis() < end) {
                Thread.sleep(20);
            }
            assertTrue(threads.count() <= threadsBefore + 2, "brick connection threads stuck after the clients "
                    + "left: " + threads.count() + ", " + threadsBefore + " before the run (seed " + seed + ")");
            checkHeap();
            checkNoDeaths();
        }

        /** Sends one input and checks everything the brick did with it. */
        private void one(InputFrames parsed) throws Exception {
            if (conn == null || !conn.isOpen()) {
                conn = new RawConnection(port);
                tally.connections++;
            }
            long allocatedBefore = threads.allocated();
            boolean mayChange = exchange(parsed);
            if (parsed.tail() == InputFrames.Tail.PARTIAL) {
                Thread.sleep(2); // the brick has read the cut frame's header by now
            }
            long allocated = threads.allocated() - allocatedBefore;
            tally.maxAllocated = Math.max(tally.maxAllocated, allocated);
            // what a request may cost: a new connection's buffers and the first use of a code path (classes,
            // native bindings: up to ~7 MiB), a few copies of its own bytes, and per operation a few copies of one
            // fuzz file (tooHeavy keeps them under FILE_LIMIT)
            long allowed = (16L << 20) + (4L << 20) * operations(parsed) + 16L * input.bytes().length;
            check(allocated <= allowed, "the brick allocated " + allocated + " bytes for a " + input.bytes().length
                    + "-byte input (allowed " + allowed + ")");
            finish(parsed);
            Map<String, String> now = BrickInspector.snapshot(brick, true);
            if (!mayChange) {
                tally.diskChecks++;
                check(now.equals(disk), "a rejected input changed the brick:\n"
                        + BrickInspector.difference(disk, now));
            }
            disk = now;
        }

        /**
         * Writes the input and reads one reply per complete frame in it: same id and method, a reply or an error.
         * Returns whether some operation succeeded that may change the brick's tree.
         */
        private boolean exchange(InputFrames parsed) throws IOException {
            boolean sent = conn.send(input.bytes());
            boolean mayChange = false;
            answers.clear();
            for (Frame req : parsed.frames()) {
                Frame r;
                try {
                    r = conn.reply(REPLY_TIMEOUT);
                } catch (SocketTimeoutException e) {
                    tally.timeouts++;
                    throw failure("no reply within " + REPLY_TIMEOUT + " ms to frame id " + req.id());
                }
                if (r == null) {
                    // a refused length ends the connection, maybe with a reset that drops replies still unread
                    check(parsed.tail() == InputFrames.Tail.BAD_LENGTH || !sent, "the brick hung up instead of "
                            + "answering frame id " + req.id());
                    tally.lostReplies++;
                    conn.close();
                    return mayChange;
                }
                tally.frames++;
                check(r.id() == req.id() && r.method() == req.method(), "reply id " + r.id() + " method "
                        + r.method() + " to request id " + req.id() + " method " + req.method());
                mayChange |= classify(req, r);
            }
            return mayChange;
        }

        private boolean classify(Frame req, Frame r) throws InvalidProtocolBufferException {
            if (r.kind() == Frame.ERROR) {
                answers.add("error " + r.errorCode() + " " + r.errorMessage());
                tally.errorFrames.merge(r.errorCode(), 1, Integer::sum);
                if (r.errorCode() == Frame.INTERNAL) {
                    tally.internal(r.errorMessage());
                    throw failure("internal error (an exception escaped the brick): " + r.errorMessage());
                }
                return false;
            }
            check(r.kind() == Frame.REPLY, "frame kind " + r.kind() + " in answer to a request");
            if (req.method() != Method.CALL.wire() || req.kind() != Frame.REQUEST) {
                tally.okReplies++;
                return false; // hello, ping, leases and upcalls never touch the tree
            }
            FopRequest op = FopRequest.parseFrom(req.payload());
            FopReply reply = FopReply.parseFrom(r.payload());
            answers.add(op.getOpCase() + " errno " + reply.getErrno() + " " + reply.getLease() + " "
                    + reply.getError());
            if (reply.getErrno() != 0 || reply.getLease() != LeaseStatus.LEASE_OK) {
                tally.fopErrors++;
                if (reply.getError().contains("Exception")) {
                    tally.internal(reply.getError());
                    throw failure("internal error (an exception escaped the brick): " + reply.getError());
                }
            } else {
                tally.okReplies++;
            }
            return mayChange(op, reply);
        }

        /** The cut, refused or finished connection: closed, half-closed, kept stalled, or kept for more input. */
        private void finish(InputFrames parsed) throws IOException {
            if (!conn.isOpen()) {
                conn = null;
                return;
            }
            switch (parsed.tail()) {
                case CLEAN -> {
                    if (choices.nextInt(8) == 0) {
                        conn.close();
                        conn = null;
                    }
                }
                case BAD_LENGTH -> {
                    tally.refusedFrames++;
                    check(conn.closedByBrick(REPLY_TIMEOUT), "the brick kept the connection after a frame length "
                            + "it refuses");
                    conn.close();
                    conn = null;
                }
                case PARTIAL -> {
                    tally.cutFrames++;
                    int how = choices.nextInt(3);
                    if (how == 0) {
                        conn.close();
                    } else if (how == 1) {
                        conn.shutdownOutput();
                        check(conn.closedByBrick(REPLY_TIMEOUT), "the brick kept a half-closed connection whose "
                                + "last frame was cut");
                        conn.close();
                    } else {
                        // a client that stops mid-frame and stays: the brick waits, holding only what arrived
                        tally.stalled++;
                        stalled.add(conn);
                        if (stalled.size() > MAX_STALLED) {
                            stalled.remove().close();
                        }
                    }
                    conn = null;
                }
                default -> throw new IllegalStateException();
            }
        }

        /** A separate, well-behaved client is still served: it writes a file and reads the same bytes back. */
        private void probe(Replicate probe) throws Exception {
            String name = "probe-" + tally.inputs;
            byte[] data = (name + " ").repeat(100).getBytes(StandardCharsets.UTF_8);
            try {
                probe.put(name, 0644, ByteBuffer.wrap(data));
                ByteBuffer got = probe.read(name, 0, data.length + 100);
                byte[] b = new byte[got.remaining()];
                got.get(b);
                assertArrayEquals(data, b, "probe read back other bytes (seed " + seed + ")");
                probe.unlink(name);
            } catch (RuntimeException e) {
                throw failure("the well-behaved client was not served: " + e);
            }
            try (RawConnection c = new RawConnection(port)) {
                c.send(RawConnection.frame(Frame.REQUEST, Method.PING.wire(), 1, PingRequest.getDefaultInstance()
                        .toByteArray()));
                Frame r = c.reply(REPLY_TIMEOUT);
                check(r != null && r.kind() == Frame.REPLY, "a new connection got no ping reply");
            }
            tally.probes++;
            disk = BrickInspector.snapshot(brick, true);
        }

        private void checkHeap() {
            long used = usedHeapAfterGc();
            tally.maxHeapGrowth = Math.max(tally.maxHeapGrowth, used - heapBaseline);
            check(used - heapBaseline <= HEAP_GROWTH_LIMIT, "live heap grew by " + (used - heapBaseline) / 1024
                    + " KiB with " + stalled.size() + " stalled connections");
        }

        private void checkNoDeaths() {
            synchronized (deaths) {
                check(deaths.isEmpty(), "threads died: " + deaths);
            }
        }

        private void closeAll() {
            if (conn != null) {
                conn.close();
            }
            stalled.forEach(RawConnection::close);
            stalled.clear();
        }

        private void check(boolean ok, String what) {
            if (!ok) {
                throw failure(what);
            }
        }

        private AssertionError failure(String what) {
            return new AssertionError("seed " + seed + ", input " + tally.inputs + " "
                    + (input == null ? "" : input.how()) + ": " + what + "\nthe brick answered " + answers);
        }
    }

    /** Whether a successful reply means the tree may have changed: a mutating op that went through. */
    private static boolean mayChange(FopRequest op, FopReply r) {
        if (r.getErrno() != 0 || r.getLease() != LeaseStatus.LEASE_OK) {
            return false;
        }
        if (op.getOpCase() == FopRequest.OpCase.BATCH) {
            List<FopRequest> ops = op.getBatch().getOpsList();
            for (int i = 0; i < ops.size() && i < r.getRepliesCount(); i++) {
                if (mayChange(ops.get(i), r.getReplies(i))) {
                    return true;
                }
            }
            return false;
        }
        return Targets.mutating(op) || op.getOpCase() == FopRequest.OpCase.SET_GFID;
    }

    /** File operations in the input's frames (a batch counts each of its operations). */
    private static int operations(InputFrames p) {
        int n = 0;
        for (Frame f : p.frames()) {
            n++;
            if (f.method() == Method.CALL.wire()) {
                try {
                    n += FopRequest.parseFrom(f.payload()).getBatch().getOpsCount();
                } catch (InvalidProtocolBufferException e) {
                    // refused by the brick as well
                }
            }
        }
        return n;
    }

    /**
     * Valid requests the fuzzer keeps to itself although the brick must take them: files beyond FILE_LIMIT (a
     * fallocate of a terabyte would really fill the disk), device nodes, and waits longer than half a second (a
     * lock wait is a legitimate way to hold a connection; it only slows the run). The check parses exactly what
     * the brick parses, so what it lets through is what the brick sees.
     */
    private static String tooHeavy(InputFrames p) {
        for (Frame f : p.frames()) {
            if (f.kind() != Frame.REQUEST) {
                continue;
            }
            try {
                if (f.method() == Method.CALL.wire()) {
                    String why = tooHeavy(FopRequest.parseFrom(f.payload()));
                    if (why != null) {
                        return why;
                    }
                } else if (f.method() == Method.ACQUIRE.wire()) {
                    LeaseRequest r = LeaseRequest.parseFrom(f.payload());
                    if (r.getWait() && !shortWait(r.getWaitMillis())) {
                        return "lease wait";
                    }
                }
            } catch (InvalidProtocolBufferException e) {
                // the brick refuses it too
            }
        }
        return null;
    }

    private static String tooHeavy(FopRequest r) {
        return switch (r.getOpCase()) {
            case WRITE -> {
                var w = r.getWrite();
                yield beyond(w.getOffset(), w.getData().size()) || w.getTruncate() > FILE_LIMIT ? "big write" : null;
            }
            case TRUNCATE -> r.getTruncate().getSize() > FILE_LIMIT ? "big truncate" : null;
            case SETATTR -> (r.getSetattr().getValid() & SetAttr.SIZE) != 0 && r.getSetattr().getSize() > FILE_LIMIT
                    ? "big setattr" : null;
            case FALLOCATE -> beyond(r.getFallocate().getOffset(), r.getFallocate().getLength()) ? "big fallocate"
                    : null;
            case MKNOD -> device(r.getMknod().getMode()) ? "device" : null;
            case INSTALL -> device(r.getInstall().getStat().getMode()) ? "device" : null;
            case LOCK -> r.getLock().getCmd() == LockCmd.SETLKW && !shortWait(r.getLock().getWaitMillis())
                    ? "lock wait" : null;
            case SYNC_FS -> "syncfs"; // flushes the whole host filesystem: slow on a busy machine, not interesting
            case BATCH -> r.getBatch().getOpsList().stream().map(ProtocolFuzzTest::tooHeavy)
                    .filter(java.util.Objects::nonNull).findFirst().orElse(null);
            default -> null;
        };
    }

    private static boolean beyond(long offset, long length) {
        return offset >= 0 && length > 0 && (offset + length < 0 || offset + length > FILE_LIMIT);
    }

    private static boolean device(int mode) {
        int t = mode & FileType.S_IFMT;
        return t == FileType.CHAR_DEVICE.bits() || t == FileType.BLOCK_DEVICE.bits();
    }

    private static boolean shortWait(int millis) {
        return millis > 0 && millis <= 500;
    }

    // ============================================================================================== helpers

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** What a run saw, printed at its end. */
    private static final class Tally {
        long seed;
        long inputs;
        long skipped;
        long connections;
        long frames;
        long okReplies;
        long fopErrors;
        final Map<Integer, Integer> errorFrames = new TreeMap<>();
        long refusedFrames;
        long cutFrames;
        long stalled;
        long lostReplies;
        long timeouts;
        long probes;
        long diskChecks;
        long maxAllocated;
        long heapBaseline;
        long maxHeapGrowth;
        long millis;
        final Map<String, Integer> internalErrors = new TreeMap<>();

        void internal(String message) {
            String key = message.length() > 160 ? message.substring(0, 160) : message;
            internalErrors.merge(key, 1, Integer::sum);
        }

        @Override
        public String toString() {
            return "seed " + seed + ": " + inputs + " inputs in " + millis + " ms (" + skipped + " skipped as too "
                    + "heavy), " + connections + " connections; " + frames + " replies to complete frames: "
                    + okReplies + " ok, " + fopErrors + " with an errno, error frames by code " + errorFrames
                    + "; " + refusedFrames + " refused lengths (connection closed by the brick), " + cutFrames
                    + " cut frames (" + stalled + " left stalled), " + lostReplies + " replies lost to resets, "
                    + timeouts + " timeouts; " + probes + " probes ok; " + diskChecks + " rejected inputs checked "
                    + "against the disk; max allocated for one input " + maxAllocated / 1024 + " KiB; live heap "
                    + heapBaseline / (1 << 20) + " MiB at start, grew at most " + maxHeapGrowth / 1024 + " KiB; "
                    + internalErrors.values().stream().mapToInt(Integer::intValue).sum() + " internal errors "
                    + internalErrors;
        }
    }
}
