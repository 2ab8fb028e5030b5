package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.fop.Gfid;
import io.camelfs.fop.Timespec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A brick's write: the bytes it takes from a buffer, and the writeback it starts for a sequential writer. */
class PosixStoreWriteTest {
    private static final int PIECE = 128 << 10;
    private static final int CHUNK = 8 << 20;

    @TempDir
    Path dir;
    private PosixStore store;
    private final Random random = new Random(7);

    @BeforeEach
    void store() {
        store = new PosixStore(BrickRoot.open(dir, "vol", true));
    }

    private Gfid create(String path) {
        Gfid g = Gfid.random();
        store.create(path, g, 0644, 0, 0, null, false, now());
        return g;
    }

    private static Timespec now() {
        return Timespec.of(Instant.now());
    }

    @Test
    void writesTheRemainingBytesOfAHeapSliceAtTheOffset() throws Exception {
        Gfid g = create("/f");
        byte[] backing = new byte[10_000];
        random.nextBytes(backing);
        ByteBuffer slice = ByteBuffer.wrap(backing, 1_000, 3_000).slice().position(500);

        store.write("/f", g, 4_096, slice, -1, false, now());

        byte[] file = Files.readAllBytes(dir.resolve("f"));
        assertEquals(4_096 + 2_500, file.length);
        assertArrayEquals(new byte[4_096], java.util.Arrays.copyOf(file, 4_096), "the hole before the offset");
        assertArrayEquals(java.util.Arrays.copyOfRange(backing, 1_500, 4_000),
                java.util.Arrays.copyOfRange(file, 4_096, file.length));
        assertEquals(500, slice.position(), "the caller's buffer is not consumed");
    }

    @Test
    void writesAReadOnlySliceAsARequestsDataArrives() throws Exception {
        Gfid g = create("/ro");
        byte[] backing = new byte[10_000];
        random.nextBytes(backing);
        ByteBuffer view = ByteBuffer.wrap(backing, 2_000, 5_000).slice().asReadOnlyBuffer().position(1_000);

        store.write("/ro", g, 0, view, -1, false, now());

        assertArrayEquals(java.util.Arrays.copyOfRange(backing, 3_000, 7_000), Files.readAllBytes(dir.resolve("ro")));
        assertEquals(1_000, view.position(), "the caller's buffer is not consumed");
    }

    @Test
    void writesAReadOnlyDirectSliceFromItsPosition() throws Exception {
        // what a write read into a direct buffer hands the store (DirectPayload): its data aliased in the frame
        Gfid g = create("/direct");
        byte[] bytes = new byte[200_000];
        random.nextBytes(bytes);
        ByteBuffer frame = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        ByteBuffer data = frame.position(50_000).limit(180_000).slice().asReadOnlyBuffer().position(10_000);

        store.write("/direct", g, 0, data, -1, false, now());

        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 60_000, 180_000),
                Files.readAllBytes(dir.resolve("direct")));
        assertEquals(10_000, data.position(), "the caller's buffer is not consumed");
    }

    @Test
    void aWriteLargerThanTheNativeBufferArrivesWholeFromHeapAndDirectBuffers() throws Exception {
        Gfid g = create("/large");
        byte[] heap = new byte[300_001];
        random.nextBytes(heap);
        ByteBuffer direct = ByteBuffer.allocateDirect(200_000);
        byte[] second = new byte[200_000];
        random.nextBytes(second);
        direct.put(second).flip();

        store.write("/large", g, 0, ByteBuffer.wrap(heap), -1, false, now());
        store.write("/large", g, heap.length, direct, -1, false, now());

        byte[] file = Files.readAllBytes(dir.resolve("large"));
        assertEquals(heap.length + second.length, file.length);
        assertArrayEquals(heap, java.util.Arrays.copyOf(file, heap.length));
        assertArrayEquals(second, java.util.Arrays.copyOfRange(file, heap.length, file.length));
    }

    @Test
    void aWriteReachingTheNextChunkStartsTheFilledChunksWriteback() throws Exception {
        Gfid g = create("/seq");
        byte[] piece = new byte[PIECE];
        random.nextBytes(piece);
        for (long off = 0; off <= CHUNK; off += PIECE) {
            store.write("/seq", g, off, ByteBuffer.wrap(piece), -1, false, now());
        }
        // ext4 allocates blocks only when writeback starts (delayed allocation): the filled chunk has blocks, the
        // piece written past it is still waiting in the page cache
        List<long[]> delayed = delayedExtents(dir.resolve("seq"));
        assertEquals(1, delayed.size(), "one delayed extent: " + render(delayed));
        assertEquals(CHUNK / 4096, delayed.get(0)[0], "it starts where the filled chunk ends");
        assertEquals((CHUNK + PIECE) / 4096 - 1, delayed.get(0)[1]);
    }

    @Test
    void writesWithinAChunkLeaveWritebackToTheKernel() throws Exception {
        Gfid g = create("/small");
        byte[] piece = new byte[PIECE];
        random.nextBytes(piece);
        for (long off = 0; off < CHUNK / 2; off += PIECE) {
            store.write("/small", g, off, ByteBuffer.wrap(piece), -1, false, now());
        }
        List<long[]> delayed = delayedExtents(dir.resolve("small"));
        assertEquals(1, delayed.size(), render(delayed));
        assertEquals(0, delayed.get(0)[0]);
        assertEquals(CHUNK / 2 / 4096 - 1, delayed.get(0)[1], "the whole file is still delayed");
    }

    /** First and last 4 KiB block of each extent filefrag reports as delayed allocation (not yet written back). */
    private static List<long[]> delayedExtents(Path file) throws Exception {
        Process p = new ProcessBuilder("filefrag", "-v", "-b4096", file.toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "filefrag: " + out);
        assertTrue(out.contains("Filesystem type is: ef53"), "the test directory must be on ext4: " + out);
        List<long[]> delayed = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\.\\.\\s*(\\d+):.*delalloc").matcher(out);
        while (m.find()) {
            delayed.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        return delayed;
    }

    private static String render(List<long[]> extents) {
        StringBuilder b = new StringBuilder();
        for (long[] e : extents) {
            b.append(e[0]).append("..").append(e[1]).append(' ');
        }
        return b.toString();
    }
}
