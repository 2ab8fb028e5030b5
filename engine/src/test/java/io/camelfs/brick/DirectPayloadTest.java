package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.afr.Replicate;
import io.camelfs.fop.Gfid;
import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Method;
import io.camelfs.testing.LocalVolume;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large requests on a brick's Unix socket are read into a few shared direct buffers; a write is served from there.
 * What must hold: every byte lands where it belongs whatever came before in the reused buffer, other large requests
 * are served as ever, and a stalled one is cut off as on TCP.
 */
class DirectPayloadTest {
    @TempDir
    Path tmp;
    private final Random random = new Random(11);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void thePoolLendsAtMostItsBuffersAndOnlyForLargePayloads() {
        DirectPayload pool = new DirectPayload(2);
        assertNull(pool.take(DirectPayload.MIN - 1), "small payloads go through the stream");
        assertNull(pool.take(Frame.EAGER + 1), "so do payloads larger than a frame read at once");
        ByteBuffer a = pool.take(DirectPayload.MIN);
        ByteBuffer b = pool.take(Frame.EAGER);
        assertNotNull(a);
        assertNotNull(b);
        assertTrue(a.isDirect() && a.capacity() >= Frame.EAGER);
        assertNull(pool.take(1 << 20), "both lent: the third request reads through the stream");
        pool.give(a);
        assertSame(a, pool.take(1 << 20), "a buffer given back is lent again, not a new one");
        assertEquals(1, pool.uses());
    }

    @Test
    void largeWritesAndCreatesThroughTheLocalSocketLandWhole() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of()); Replicate c = v.client()) {
            LocalVolume.awaitUp(c, 2, 10_000);
            long before = DirectPayload.PROCESS.uses();
            // sizes around the threshold and up to the largest a mount sends, each piece different, so a byte left
            // from an earlier request in the reused buffer would show
            int[] sizes = {1 << 20, DirectPayload.MIN, DirectPayload.MIN - 1, 300_001, 1 << 20, 4096, 700_000};
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            c.create("big", 0644, false);
            long offset = 0;
            int inPlace = 0;
            for (int n : sizes) {
                byte[] piece = bytes(n);
                c.write("big", offset, ByteBuffer.wrap(piece));
                expected.write(piece);
                offset += n;
                inPlace += n >= DirectPayload.MIN ? 1 : 0;
            }
            // a create carrying 500 KB: a large request that is not a write, served from an array of its own
            byte[] created = bytes(500_000);
            c.create("made", Gfid.random(), 0644, ByteBuffer.wrap(created));
            byte[] last = bytes(1 << 20);
            c.write("big", offset, ByteBuffer.wrap(last));
            expected.write(last);

            for (int brick = 0; brick < 2; brick++) {
                assertArrayEquals(expected.toByteArray(), Files.readAllBytes(v.file(brick, "big")), "brick " + brick);
                assertArrayEquals(created, Files.readAllBytes(v.file(brick, "made")), "brick " + brick);
            }
            long used = DirectPayload.PROCESS.uses() - before;
            // two bricks, each: the large writes, the last one and the create
            assertTrue(used >= 2L * (inPlace + 2), "requests read into direct buffers: " + used);
        }
    }

    @Test
    void aLargeRequestThatStallsOnTheLocalSocketIsCutOff() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 1, Map.of("brick-timeout", "500ms"))) {
            Path socket = Path.of(v.server(0).localSocket());
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                int payload = 1 << 20;
                ByteBuffer head = ByteBuffer.allocate(14).putInt(10 + payload).put((byte) Frame.REQUEST)
                        .put((byte) Method.CALL.wire()).putLong(1).flip();
                ch.write(head);
                ch.write(ByteBuffer.wrap(bytes(200_000))); // a fifth of the payload, then nothing
                long start = System.nanoTime();
                CountDownLatch closed = new CountDownLatch(1);
                Thread reader = new Thread(() -> {
                    try {
                        while (ch.read(ByteBuffer.allocate(256)) >= 0) {
                            // an error frame, if any, then the end
                        }
                    } catch (java.io.IOException e) {
                        // reset by the brick: closed as well
                    }
                    closed.countDown();
                });
                reader.setDaemon(true);
                reader.start();
                assertTrue(closed.await(5, TimeUnit.SECONDS), "the brick closed the stalled connection");
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms >= 300 && ms < 3_000, "closed after " + ms + " ms (brick timeout 500 ms)");
            }
            // the buffer it held went back: the pool still serves
            try (Replicate c = v.client()) {
                LocalVolume.awaitUp(c, 1, 10_000);
                byte[] data = bytes(1 << 20);
                c.create("after", 0644, false);
                c.write("after", 0, ByteBuffer.wrap(data));
                assertArrayEquals(data, Files.readAllBytes(v.file(0, "after")));
            }
        }
    }
}
