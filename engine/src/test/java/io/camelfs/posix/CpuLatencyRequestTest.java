package io.camelfs.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request against a FIFO standing in for /dev/cpu_dma_latency: what the kernel would read is what the test
 * reads, and the kernel's "request dropped" (the file closed) is the reader's end of file.
 */
@Timeout(60)
class CpuLatencyRequestTest {
    @TempDir
    Path dir;

    private Path fifo() throws Exception {
        Path f = dir.resolve("cpu_dma_latency");
        Process p = new ProcessBuilder("mkfifo", f.toString()).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo");
        return f;
    }

    @Test
    void writesTheLimitAsFourNativeBytesWhileBusyAndClosesAfterTheQuietSpell() throws Exception {
        Path f = fifo();
        try (CpuLatencyRequest r = CpuLatencyRequest.of(f, 7, Duration.ofMillis(300), "test")) {
            assertFalse(r.held(), "nothing is requested before work flows");
            // opening a FIFO for reading waits for the writer: busy() is that writer
            CompletableFuture<InputStream> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.newInputStream(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!r.held() && System.nanoTime() < deadline) {
                r.busy(); // blocks in open until the reader is there
            }
            try (InputStream in = reader.get(10, TimeUnit.SECONDS)) {
                byte[] value = in.readNBytes(4);
                assertArrayEquals(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(7).array(), value);
                assertTrue(r.held());
                // busy for longer than the quiet spell: held throughout
                long busyUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
                while (System.nanoTime() < busyUntil) {
                    r.busy();
                    assertTrue(r.held(), "dropped while work still flows");
                    Thread.sleep(20);
                }
                long quietFrom = System.nanoTime();
                assertEquals(-1, in.read(), "the request is dropped (file closed) once work stops");
                long quietMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quietFrom);
                assertTrue(quietMs >= 250 && quietMs < 5000, "dropped after " + quietMs + " ms of quiet");
                assertFalse(r.held());
            }
        }
    }

    @Test
    void aDeviceThatCannotBeOpenedIsSkippedAndWorkGoesOn() throws Exception {
        Path missing = dir.resolve("no-such-device");
        try (CpuLatencyRequest r = CpuLatencyRequest.of(missing, 0, Duration.ofMillis(100), "test")) {
            r.busy();
            r.busy();
            assertFalse(r.held());
        }
        assertFalse(Files.exists(missing), "nothing is created in its place");
    }

    @Test
    void noneRequestsNothing() {
        CpuLatencyRequest r = CpuLatencyRequest.none();
        r.busy();
        assertFalse(r.held());
        r.close();
        assertEquals("no CPU wake-up latency request", r.toString());
    }
}
