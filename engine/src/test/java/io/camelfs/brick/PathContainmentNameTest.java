package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.fop.Errno;
import io.camelfs.protocol.v1.FopReply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names are bytes to Linux: anything but '/' and NUL, at most 255 of them (NAME_MAX counts bytes, not characters).
 * A brick keeps every name a local ext4 keeps, exactly, and refuses the ones it refuses with the same errno.
 */
class PathContainmentNameTest {
    @TempDir
    Path tmp;
    private HostileBrick brick;
    private Path localPath;
    private LocalDir local;

    @BeforeEach
    void start() throws Exception {
        brick = new HostileBrick(tmp.resolve("v"));
        localPath = Files.createDirectories(tmp.resolve("local"));
        local = new LocalDir(localPath);
    }

    @AfterEach
    void stop() {
        local.close();
        brick.close();
    }

    @Test
    void aNewlineInANameIsKeptExactly() throws Exception {
        for (String name : List.of("line1\nline2", "\n", "ends with newline\n", "\r\n\ttabs and returns")) {
            assertEquals(0, local.create(name));
            FopReply r = brick.create(name, "content of " + name);
            assertEquals(0, r.getErrno(), r.getError());
            assertEquals("content of " + name, brick.read(name).getData().toStringUtf8());
            assertTrue(Files.isRegularFile(brick.dir.resolve(name), LinkOption.NOFOLLOW_LINKS), "that very name");
        }
        assertEquals(0, local.mkdir("dir\nname"));
        assertEquals(0, brick.mkdir("dir\nname").getErrno());
        assertEquals(0, local.rename("line1\nline2", "dir\nname/re\nnamed"));
        assertEquals(0, brick.rename("line1\nline2", "dir\nname/re\nnamed").getErrno());
        assertEquals(List.of("re\nnamed"), brick.list("dir\nname"));
        assertEquals(names(localPath), Set.copyOf(brick.list("")), "readdir lists the names as ext4 has them");
    }

    @Test
    void aNameMayHave255BytesLikeLocally() throws Exception {
        String[] names = {
            "a".repeat(255),
            "a".repeat(256),
            "é".repeat(127) + "a",      // 255 bytes in 128 characters
            "é".repeat(128),            // 256 bytes
            "€".repeat(85),             // 255 bytes
            "€".repeat(85) + "a",       // 256 bytes
            "😀".repeat(63) + "abc",    // 255 bytes, the emoji outside the BMP (surrogate pairs in Java)
            "😀".repeat(64),            // 256 bytes in 64 code points
            "é".repeat(255),            // 255 characters but 510 bytes: the limit is bytes
        };
        for (String name : names) {
            int bytes = name.getBytes(StandardCharsets.UTF_8).length;
            int expected = bytes <= 255 ? 0 : Errno.ENAMETOOLONG;
            String what = bytes + "-byte name";
            assertEquals(expected, local.create(name), what + " locally");
            assertEquals(expected, brick.create(name, "x").getErrno(), what);
        }
        String tooLong = "b".repeat(256);
        assertEquals(Errno.ENAMETOOLONG, local.mkdir(tooLong));
        assertEquals(Errno.ENAMETOOLONG, brick.mkdir(tooLong).getErrno());
        assertEquals(Errno.ENAMETOOLONG, local.symlink(tooLong, "target"));
        assertEquals(Errno.ENAMETOOLONG, brick.symlink(tooLong, "target").getErrno());
        assertEquals(Errno.ENAMETOOLONG, local.rename("a".repeat(255), tooLong));
        assertEquals(Errno.ENAMETOOLONG, brick.rename("a".repeat(255), tooLong).getErrno());
        assertEquals(Errno.ENAMETOOLONG, local.link("a".repeat(255), tooLong));
        assertEquals(Errno.ENAMETOOLONG, brick.link("a".repeat(255), tooLong).getErrno());
        assertEquals(Errno.ENAMETOOLONG, local.create(tooLong + "/f"), "a long name mid-path, locally");
        assertEquals(Errno.ENAMETOOLONG, brick.create(tooLong + "/f", "x").getErrno());
        assertEquals(names(localPath), Set.copyOf(brick.list("")), "the same names, the long ones exactly");
    }

    private static Set<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            Set<String> out = new TreeSet<>();
            s.forEach(p -> out.add(p.getFileName().toString()));
            return out;
        }
    }
}
