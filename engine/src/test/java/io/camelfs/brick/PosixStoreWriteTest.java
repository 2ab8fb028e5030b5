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

/** A brick's write: the bytes it takes from a buffer. */
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
}
