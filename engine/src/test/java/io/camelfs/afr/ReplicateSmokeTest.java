package io.camelfs.afr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.camelfs.testing.LocalVolume;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicateSmokeTest {
    @TempDir
    Path tmp;

    @Test
    void putLandsOnBothBricks() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate c = v.client()) {
            byte[] data = "hello camelfs".getBytes(StandardCharsets.UTF_8);
            c.mkdir("dir", 0755);
            c.put("dir/a.txt", 0644, ByteBuffer.wrap(data));
            for (int b = 0; b < 2; b++) {
                assertArrayEquals(data, Files.readAllBytes(v.file(b, "dir/a.txt")));
            }
            ByteBuffer r = c.read("dir/a.txt", 0, 100);
            byte[] got = new byte[r.remaining()];
            r.get(got);
            assertArrayEquals(data, got);
            assertEquals(data.length, c.lookup("dir/a.txt").size());
        }
    }
}
