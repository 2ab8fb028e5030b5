package io.camelfs.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Unix socket connection reads with a timeout, carries large writes whole, and a close ends a waiting read. */
class UnixDuplexTest {
    @TempDir
    Path tmp;

    private ServerSocketChannel listen(Path p) throws Exception {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(p));
        return s;
    }

    /** Both ends of one connection (and the socket they met on). */
    private record Pair(ServerSocketChannel server, UnixDuplex client, UnixDuplex peer) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            client.close();
            peer.close();
            server.close();
        }
    }

    private Pair pair() throws Exception {
        Path p = tmp.resolve("s");
        ServerSocketChannel s = listen(p);
        UnixDuplex c = UnixDuplex.connect(p, 1000);
        return new Pair(s, c, UnixDuplex.accepted(s.accept(), "peer"));
    }

    @Test
    void aSilentPeerTimesAReadOut() throws Exception {
        try (Pair x = pair()) {
            UnixDuplex c = x.client();
            UnixDuplex peer = x.peer();
            c.timeout(300);
            long t = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> c.in().read(new byte[8]));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
            assertTrue(ms >= 290 && ms < 3000, ms + " ms");
            peer.out().write(new byte[] {7});
            assertEquals(7, c.in().read(), "the connection goes on after a timeout");
        }
    }

    @Test
    void aWriteLargerThanTheSocketBufferArrivesWhole() throws Exception {
        byte[] big = new byte[8 << 20];
        new Random(3).nextBytes(big);
        try (Pair x = pair()) {
            UnixDuplex c = x.client();
            UnixDuplex peer = x.peer();
            ByteBuffer direct = ByteBuffer.allocateDirect(big.length).put(big).flip();
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    c.write(direct);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] got = new byte[big.length];
            peer.timeout(10_000);
            new DataInputStream(peer.in()).readFully(got);
            sent.get(10, TimeUnit.SECONDS);
            assertArrayEquals(big, got);
        }
    }

    @Test
    void aGatheringWriteLargerThanTheSocketBufferArrivesWholeAndInOrder() throws Exception {
        byte[] head = new byte[1000];
        byte[] big = new byte[8 << 20];
        new Random(4).nextBytes(head);
        new Random(5).nextBytes(big);
        try (Pair x = pair()) {
            UnixDuplex c = x.client();
            UnixDuplex peer = x.peer();
            ByteBuffer first = ByteBuffer.allocateDirect(head.length).put(head).flip();
            // read-only, as a write's data a mount sends from the FUSE request's memory
            ByteBuffer second = ByteBuffer.allocateDirect(big.length).put(big).flip().asReadOnlyBuffer();
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    c.write(first, second);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] got = new byte[head.length + big.length];
            peer.timeout(10_000);
            new DataInputStream(peer.in()).readFully(got);
            sent.get(10, TimeUnit.SECONDS);
            assertArrayEquals(head, Arrays.copyOf(got, head.length));
            assertArrayEquals(big, Arrays.copyOfRange(got, head.length, got.length));
            assertEquals(0, first.remaining() + second.remaining());
        }
    }

    @Test
    void closingEndsAReadWaitingInAnotherThread() throws Exception {
        try (Pair x = pair()) {
            UnixDuplex c = x.client(); // its peer stays silent
            c.timeout(0);
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.in().read(new byte[8]);
                } catch (SocketException e) {
                    return -2;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            c.close();
            assertEquals(-2, read.get(5, TimeUnit.SECONDS), "the read ended with 'Socket closed'");
            assertTrue(c.isClosed());
        }
    }

    @Test
    void thePeerHangingUpIsTheEndOfTheStream() throws Exception {
        Path p = tmp.resolve("s");
        try (ServerSocketChannel s = listen(p); UnixDuplex c = UnixDuplex.connect(p, 1000)) {
            UnixDuplex.accepted(s.accept(), "peer").close();
            c.timeout(5000);
            assertEquals(-1, c.in().read(new byte[8]));
        }
    }

    /**
     * A client asking for a send buffer of one whole request hands it to the kernel without waiting for the peer to
     * read; with the default buffer the same write waits. The kernel grants at most net.core.wmem_max.
     */
    @Test
    void aSendBufferOfOneRequestTakesTheWholeRequestAtOnce() throws Exception {
        int request = (1 << 20) + (32 << 10);
        // readAllLines: a /proc file has no size, and readString read one byte of it
        long wmemMax = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/wmem_max")).get(0).trim());
        Path p = tmp.resolve("s");
        try (ServerSocketChannel s = listen(p); UnixDuplex big = UnixDuplex.connect(p, 1000, request);
                UnixDuplex peer = UnixDuplex.accepted(s.accept(), "peer");
                UnixDuplex small = UnixDuplex.connect(p, 1000);
                UnixDuplex peer2 = UnixDuplex.accepted(s.accept(), "p2")) {
            CompletableFuture<Void> whole = CompletableFuture.runAsync(() -> write(big, request));
            CompletableFuture<Void> waits = CompletableFuture.runAsync(() -> write(small, request));
            if (wmemMax >= request) {
                whole.get(5, TimeUnit.SECONDS);
            }
            Thread.sleep(300);
            assertTrue(!waits.isDone(), "a default buffer took a whole request without the peer reading");
            peer2.close(); // the waiting write ends with an error
        }
    }

    private static void write(UnixDuplex d, int bytes) {
        try {
            d.write(ByteBuffer.allocateDirect(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void noSocketThereFailsAtOnce() {
        long t = System.nanoTime();
        assertThrows(java.io.IOException.class, () -> UnixDuplex.connect(tmp.resolve("none"), 5000));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t) < 1000);
    }
}
