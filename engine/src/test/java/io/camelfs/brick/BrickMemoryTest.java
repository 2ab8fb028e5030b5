package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Method;
import io.camelfs.testing.LocalVolume;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
