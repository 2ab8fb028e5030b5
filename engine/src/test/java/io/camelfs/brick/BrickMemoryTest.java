package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.camelfs.fop.Errno;
import io.camelfs.fop.Gfid;
import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Method;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Batch;
import io.camelfs.protocol.v1.Create;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Read;
import io.camelfs.protocol.v1.UpcallRequest;
import io.camelfs.testing.LocalVolume;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a brick holds in memory follows what clients send, not what they claim: a frame's length, a read's length,
 * a batch's replies and a connection's subscriptions each let a few bytes of request cost the brick megabytes or
 * more. Found by {@link ProtocolFuzzTest}; each test here pins one of them.
 */
class BrickMemoryTest {
    private static final int REPLY_TIMEOUT = 10_000;

    @TempDir
    Path tmp;
    private LocalVolume volume;
    private int port;
    private BrickThreads threads;

    @BeforeEach
    void start() throws IOException {
        volume = new LocalVolume(tmp.resolve("v"), 1);
        port = volume.spec.bricks().get(0).port();
        threads = new BrickThreads(port);
    }

    @AfterEach
    void stop() {
        volume.close();
    }

    /**
     * Twenty clients each send a header claiming a 60 MiB frame, a few bytes, and stall. The brick used to allocate
     * the claimed size upfront: 1.2 GiB of heap held by twenty idle sockets.
     */
    @Test
    void framesClaimingMegabytesCostOnlyTheBytesThatArrived() throws Exception {
        int clients = 20;
        int claimed = 60 << 20;
        byte[] payload = new byte[claimed - (RawConnection.HEADER - 4)];
        // a PingRequest carrying one big unknown field: valid once it is all there
        ByteBuffer.wrap(payload).put((byte) 0x7a).put(varint(payload.length - 1 - 4)).rewind();
        long heapBefore = usedHeapAfterGc();
        int threadsBefore = threads.count();
        List<RawConnection> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                RawConnection c = new RawConnection(port);
                stalled.add(c);
                assertTrue(c.send(ByteBuffer.allocate(RawConnection.HEADER + 100).putInt(claimed)
                        .put((byte) Frame.REQUEST).put((byte) Method.PING.wire()).putLong(i)
                        .put(payload, 0, 100).array()));
            }
            long end = System.currentTimeMillis() + 5000;
            while (threads.count() < threadsBefore + clients && System.currentTimeMillis() < end) {
                Thread.sleep(10);
            }
            assertEquals(threadsBefore + clients, threads.count(), "a thread serves each stalled client");
            Thread.sleep(200); // each has read its header and the bytes that came
            long grown = usedHeapAfterGc() - heapBefore;
            assertTrue(grown < 64L << 20, "20 stalled 60 MiB frames hold " + (grown >> 20) + " MiB of heap");
            for (long id : threads.ids()) {
                assertTrue(threads.allocatedBy(id) < 4L << 20, "a connection thread allocated "
                        + (threads.allocatedBy(id) >> 20) + " MiB");
            }
            // and the frame still arrives whole once its bytes do
            RawConnection first = stalled.get(0);
            assertTrue(first.send(Arrays.copyOfRange(payload, 100, payload.length)));
            Frame r = first.reply(REPLY_TIMEOUT);
            assertNotNull(r, "the brick hung up on a 60 MiB frame");
            assertEquals(Frame.REPLY, r.kind(), r.kind() == Frame.ERROR ? r.errorMessage() : "");
            assertEquals(0, r.id());
        } finally {
            stalled.forEach(RawConnection::close);
        }
    }

    /**
     * A read's length is a claim, up to 4 GiB in four bytes: the brick used to allocate the whole length before
     * reading (2 GiB for a 10-byte file: the thread died of OutOfMemoryError; "negative" lengths failed with EIO).
     */
    @Test
    void aReadAllocatesWhatTheFileHoldsNotWhatWasAskedFor() throws Exception {
        Gfid g = Gfid.random();
        assertEquals(0, call(FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("small").setMode(0644)
                .setGfid(Wire.gfid(g)).setData(ByteString.copyFromUtf8("ten bytes!")))).getErrno());
        try (RawConnection c = new RawConnection(port)) {
            for (boolean stat : new boolean[] {false, true}) {
                // a read as a client sends it, first: the brick's first reads load classes and bind natives
                c.send(RawConnection.frame(Frame.REQUEST, Method.CALL.wire(), 0, FopRequest.newBuilder()
                        .setRead(Read.newBuilder().setPath("small").setLength(10).setStat(stat)).build()
                        .toByteArray()));
                assertNotNull(c.reply(REPLY_TIMEOUT));
            }
            long thread = threads.newest(); // this connection's, the only one open
            long before = threads.allocatedBy(thread);
            int[] lengths = {Integer.MAX_VALUE, -1, 60 << 20, Integer.MIN_VALUE};
            for (int i = 0; i < lengths.length; i++) {
                boolean stat = i % 2 == 0;
                FopRequest read = FopRequest.newBuilder().setRead(Read.newBuilder().setPath("small")
                        .setGfid(Wire.gfid(g)).setOffset(i == 3 ? 4 : 0).setLength(lengths[i]).setStat(stat))
                        .build();
                assertTrue(c.send(RawConnection.frame(Frame.REQUEST, Method.CALL.wire(), i, read.toByteArray())));
                Frame r = c.reply(REPLY_TIMEOUT);
                assertNotNull(r, "the brick hung up on a read of " + Integer.toUnsignedString(lengths[i]));
                assertEquals(Frame.REPLY, r.kind(), r.kind() == Frame.ERROR ? r.errorMessage() : "");
                FopReply reply = FopReply.parseFrom(r.payload());
                assertEquals(0, reply.getErrno(), reply.getError());
                assertEquals(i == 3 ? "bytes!" : "ten bytes!", reply.getData().toStringUtf8());
            }
            long allocated = threads.allocatedBy(thread) - before;
            assertTrue(allocated < 2 << 20, "four reads of a 10-byte file allocated " + allocated + " bytes");
        }
    }

    /**
     * A batch of 80 reads of a 1 MiB file is a 2 KiB request; its reply used to be 80 MiB, built in the brick's
     * memory and sent as a frame over the limit, which no client accepts. Now the reply stops at the frame limit
     * and the reads that did not fit say E2BIG.
     */
    @Test
    void aBatchReplyStaysWithinTheFrameLimit() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(1).nextBytes(data);
        assertEquals(0, call(FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("big").setMode(0644)
                .setGfid(Wire.gfid(Gfid.random())).setData(ByteString.copyFrom(data)))).getErrno());
        Batch.Builder batch = Batch.newBuilder();
        for (int i = 0; i < 80; i++) {
            batch.addOps(FopRequest.newBuilder().setRead(Read.newBuilder().setPath("big").setLength(1 << 20)));
        }
        FopReply r = call(FopRequest.newBuilder().setBatch(batch));
        assertTrue(r.getSerializedSize() <= Frame.MAX_FRAME, r.getSerializedSize() + " bytes");
        assertEquals(80, r.getRepliesCount());
        int read = 0;
        for (FopReply one : r.getRepliesList()) {
            if (one.getErrno() == 0) {
                assertEquals(ByteString.copyFrom(data), one.getData());
                read++;
            } else {
                assertEquals(Errno.E2BIG, one.getErrno());
            }
        }
        assertTrue(read > 50 && read < 64, read + " reads fit");
    }

    /**
     * A connection that subscribes for one session, then another, and closes leaves no session connected. The
     * first used to keep its upcall sink -- the closed connection and its buffers -- forever: a session that
     * counts as connected never expires, so a client could pile up such sessions until the brick ran out of heap.
     */
    @Test
    void resubscribingOnAConnectionReleasesTheFirstSession() throws Exception {
        BrickServer server = volume.server(0);
        int before = server.connectedClients();
        try (RawConnection c = new RawConnection(port)) {
            for (String session : new String[] {"first-session-id", "other-session-id"}) {
                c.send(RawConnection.frame(Frame.REQUEST, Method.SUBSCRIBE.wire(), 1, UpcallRequest.newBuilder()
                        .setSession(ByteString.copyFromUtf8(session)).build().toByteArray()));
                Frame r = c.reply(REPLY_TIMEOUT);
                assertNotNull(r);
                assertEquals(Frame.REPLY, r.kind());
            }
            assertEquals(before + 1, server.connectedClients(), "one connection, one session with its upcalls");
        }
        long end = System.currentTimeMillis() + 5000;
        while (server.connectedClients() != before && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertEquals(before, server.connectedClients(), "sessions still connected through a closed connection");
    }

    /** One file operation on a fresh connection. */
    private FopReply call(FopRequest.Builder op) throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            return c.call(op.build());
        }
    }

    private static byte[] varint(int v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
        return out.toByteArray();
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
