package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.afr.Replicate;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.LockRequest;
import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Method;
import io.camelfs.protocol.v1.PingRequest;
import io.camelfs.testing.Bytes;
import io.camelfs.testing.LocalVolume;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one client can take from a brick is bounded: connections (per brick and per client address), time between
 * requests (idle-timeout), time within one request (a stalled or trickled request), and a flooding client does not
 * starve another.
 */
class LimitsTest {
    @TempDir
    Path tmp;

    private static Socket connect(LocalVolume v) throws IOException {
        Socket s = new Socket(v.spec.bricks().get(0).host(), v.spec.bricks().get(0).port());
        s.setSoTimeout(15_000);
        return s;
    }

    private static Frame ping(Socket s) throws IOException {
        Frame.request(Method.PING, 7, PingRequest.newBuilder().build().toByteArray())
                .write(new DataOutputStream(s.getOutputStream()));
        return Frame.read(new DataInputStream(s.getInputStream()));
    }

    /** Milliseconds until the brick closes this connection (reads until EOF or reset). */
    private static long millisUntilClosed(Socket s) throws IOException {
        long t0 = System.nanoTime();
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // nothing is expected; drain
            }
        } catch (SocketException reset) {
            // closed with unread data: a reset
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void connectionsPerClientAndPerBrickAreCapped() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 1, Map.of("max-connections-per-client", "3",
                "max-connections", "5"))) {
            List<Socket> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(connect(v));
                assertEquals(Frame.REPLY, ping(held.get(i)).kind());
            }
            try (Socket fourth = connect(v)) {
                Frame f = ping(fourth);
                assertEquals(Frame.ERROR, f.kind());
                assertTrue(f.errorMessage().contains("client 127.0.0.1 already has 3 connections"
                        + " (max-connections-per-client 3)"), f.errorMessage());
            }
            held.remove(0).close();
            Frame again = null;
            for (int i = 0; i < 50; i++) { // the brick notices the close when its thread reads EOF
                try (Socket s = connect(v)) {
                    again = ping(s);
                }
                if (again.kind() == Frame.REPLY) {
                    break;
                }
                Thread.sleep(20);
            }
            assertEquals(Frame.REPLY, again.kind(), "a freed slot is usable again");
            for (Socket s : held) {
                s.close();
            }
        }
        try (LocalVolume v = new LocalVolume(tmp.resolve("b"), "web", 1, Map.of("max-connections", "2"))) {
            try (Socket a = connect(v); Socket b = connect(v); Socket c = connect(v)) {
                assertEquals(Frame.REPLY, ping(a).kind());
                assertEquals(Frame.REPLY, ping(b).kind());
                assertTrue(millisUntilClosed(c) < 5_000, "the third connection is closed unserved");
            }
        }
    }

    @Test
    void idleStalledAndTrickledConnectionsAreClosed() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 1, Map.of("idle-timeout", "2s", "brick-timeout", "500ms"))) {
            try (Socket idle = connect(v)) {
                assertEquals(Frame.REPLY, ping(idle).kind());
                long ms = millisUntilClosed(idle);
                assertTrue(ms >= 1_500 && ms < 4_000, "idle connection closed after " + ms + " ms");
            }
            try (Socket stalled = connect(v)) {
                stalled.getOutputStream().write(new byte[] {0, 0, 0}); // three bytes of a frame's length, then nothing
                long ms = millisUntilClosed(stalled);
                assertTrue(ms < 2_000, "stalled request closed after " + ms + " ms");
            }
            try (Socket trickle = connect(v)) {
                // a 1 KiB request, one byte every 300 ms: never silent for the brick timeout, but 12 of them (6 s)
                // pass before it could complete
                byte[] frame = {0, 0, 4, 10, 1, (byte) Method.PING.wire(), 0, 0, 0, 0, 0, 0, 0, 1};
                AtomicBoolean stop = new AtomicBoolean();
                Thread t = new Thread(() -> {
                    try {
                        for (int i = 0; i < 1034 && !stop.get(); i++) {
                            trickle.getOutputStream().write(i < frame.length ? frame[i] : 0);
                            Thread.sleep(300);
                        }
                    } catch (IOException | InterruptedException e) {
                        // closed by the brick: expected
                    }
                });
                t.start();
                long ms = millisUntilClosed(trickle);
                stop.set(true);
                t.join(2_000);
                assertTrue(ms >= 5_000 && ms < 9_000, "trickled request closed after " + ms + " ms");
            }
            // a real client that sat idle longer than the brick allows reconnects on its own and keeps working
            try (Replicate c = v.client()) {
                c.put("before", 0644, Bytes.of("a"));
                Thread.sleep(2_600);
                c.put("after", 0644, Bytes.of("b"));
                assertTrue(c.isUp(0));
            }
        }
    }

    @Test
    void largeRequestsShareABoundedAmountOfBrickMemory() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 1, Map.of("request-memory", "4MiB", "max-request-size",
                "2MiB", "brick-timeout", "3s"))) {
            java.lang.management.MemoryMXBean mem = java.lang.management.ManagementFactory.getMemoryMXBean();
            System.gc();
            long before = mem.getHeapMemoryUsage().getUsed();
            List<Socket> senders = new ArrayList<>();
            int payload = 1 << 20;
            for (int i = 0; i < 40; i++) {
                Socket s = connect(v);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(10 + payload);
                out.writeByte(Frame.REQUEST);
                out.writeByte(Method.PING.wire());
                out.writeLong(i);
                // all but the last byte of a 1 MiB request: a brick that reads it holds it
                new Thread(() -> {
                    try {
                        out.write(new byte[payload - 1]);
                    } catch (IOException e) {
                        // closed by the test or the brick
                    }
                }).start();
                senders.add(s);
            }
            Thread.sleep(1_500);
            System.gc();
            long grown = mem.getHeapMemoryUsage().getUsed() - before;
            for (Socket s : senders) {
                s.close();
            }
            System.out.printf("40 half-sent 1 MiB requests: brick heap grew %.1f MiB (request-memory 4 MiB)%n",
                    grown / 1048576.0);
            assertTrue(grown < 14L << 20, "heap grew " + (grown >> 20) + " MiB; unbounded would be 40");
            try (Replicate c = v.client()) {
                c.put("still-served", 0644, Bytes.of("yes"));
            }
        }
    }

    @Test
    void byteRangeLocksPerClientAreCapped() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of("max-locks-per-client", "3"));
                Replicate c = v.client(); Replicate other = v.client()) {
            c.put("f", 0644, Bytes.of("data"));
            for (int i = 0; i < 3; i++) {
                c.lock("f", lock(LockRequest.Type.WRITE, i * 10L));
            }
            FopException e = assertThrows(FopException.class, () -> c.lock("f", lock(LockRequest.Type.WRITE, 100)));
            assertEquals(Errno.ENOLCK, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("max-locks-per-client"), e.getMessage());
            other.lock("f", lock(LockRequest.Type.WRITE, 200)); // another client's own allowance is untouched
            c.lock("f", lock(LockRequest.Type.UNLOCK, 0));
            c.lock("f", lock(LockRequest.Type.WRITE, 100)); // an unlock frees a place
        }
    }

    private static LockRequest lock(LockRequest.Type type, long start) {
        return new LockRequest(LockRequest.Command.SET, type, start, 5, 1, 1);
    }

    @Test
    void aFloodingClientDoesNotStarveAnother() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of()); Replicate flood = v.client();
                Replicate other = v.client()) {
            other.mkdir("b", 0755);
            flood.mkdir("a", 0755);
            long soloOps = run(other, "b/solo", 1_500);
            ExecutorService pool = Executors.newFixedThreadPool(16);
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<Long>> flooders = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int n = t;
                flooders.add(pool.submit(() -> {
                    long ops = 0;
                    while (!stop.get() && ops < 200_000) {
                        flood.put("a/t" + n + "-" + (ops % 50), 0644, Bytes.of("flood"));
                        ops++;
                    }
                    return ops;
                }));
            }
            Thread.sleep(300);
            long t0 = System.nanoTime();
            long otherOps = run(other, "b/busy", 3_000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            long floodOps = 0;
            for (Future<Long> f : flooders) {
                floodOps += f.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();
            double soloRate = soloOps / 1.5;
            double otherRate = otherOps / seconds;
            System.out.printf("flood: 16 threads of one client %.0f writes/s; the other client %.0f writes/s"
                    + " (alone: %.0f/s)%n", floodOps / (seconds + 0.3), otherRate, soloRate);
            // fair share with 17 writers is about 1/17 of the bricks; starving would be far below it
            assertTrue(otherRate > soloRate / 17 / 3, "the other client got " + otherRate + "/s, alone " + soloRate);
        }
    }

    /** Single-threaded 4 KiB-class writes for a time; returns how many were done. */
    private static long run(Replicate c, String prefix, long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long n = 0;
        while (System.nanoTime() < end && n < 1_000_000) {
            c.put(prefix + (n % 100), 0644, Bytes.of("other"));
            n++;
        }
        return n;
    }
}
