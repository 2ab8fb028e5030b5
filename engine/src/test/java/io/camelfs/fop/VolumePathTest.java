package io.camelfs.fop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VolumePathTest {
    @Test
    void pathsAreRelativeWithoutEmptyOrDotComponents() {
        assertEquals("a/b/c", VolumePath.normalize("/a/b/c"));
        assertEquals("a/b", VolumePath.normalize("a//b/"));
        assertEquals("a/b", VolumePath.normalize("/./a/./b/."));
        assertEquals("a/b", VolumePath.normalize("a/.//b"));
        assertEquals("", VolumePath.normalize("/"));
        assertEquals("", VolumePath.normalize("."));
        assertEquals("", VolumePath.normalize("//./"));
        assertEquals(".a/..b/...", VolumePath.normalize("/.a/..b/..."), "dots inside names are names");
        String done = "www/html/index.php";
        assertSame(done, VolumePath.normalize(done), "a normalized path comes back as it is");
    }

    @Test
    void nothingLeadsOutOfTheVolume() {
        for (String bad : new String[] {"..", "/..", "a/../..", "a/..", "../etc/passwd", "a/b/.."}) {
            FopException e = assertThrows(FopException.class, () -> VolumePath.normalize(bad), bad);
            assertEquals(Errno.EINVAL, e.errno(), bad);
            assertTrue(e.getMessage().contains("'..' would leave the volume"), e.getMessage());
        }
        assertEquals(Errno.EINVAL, assertThrows(FopException.class, () -> VolumePath.normalize("a\0b")).errno());
        assertEquals(Errno.EINVAL, assertThrows(FopException.class, () -> VolumePath.normalize(null)).errno());
    }

    @Test
    void nameAndPathLimitsCountUtf8BytesAsLinuxDoes() {
        String max = "x".repeat(255);
        assertEquals("d/" + max, VolumePath.normalize("/d/" + max));
        FopException e = assertThrows(FopException.class, () -> VolumePath.normalize("/d/" + max + "x/e"));
        assertEquals(Errno.ENAMETOOLONG, e.errno());
        assertTrue(e.getMessage().startsWith("'xxxx") && e.getMessage().contains("...': File name too long"),
                e.getMessage());
        String twoByte = "\u00e9".repeat(127); // 254 bytes
        assertEquals(twoByte, VolumePath.normalize(twoByte));
        assertEquals(Errno.ENAMETOOLONG, assertThrows(FopException.class,
                () -> VolumePath.normalize(twoByte + "\u00e9")).errno());
        String emoji = "\ud83d\ude00".repeat(63); // 252 bytes in 126 chars
        assertEquals(emoji + "abc", VolumePath.normalize(emoji + "abc"));
        assertEquals(Errno.ENAMETOOLONG, assertThrows(FopException.class,
                () -> VolumePath.normalize(emoji + "abcd")).errno());
        // 4095 bytes with the NUL make PATH_MAX; one more is too long
        String longest = ("y".repeat(200) + "/").repeat(20) + "z".repeat(74);
        assertEquals(4094, longest.length());
        assertEquals(longest, VolumePath.normalize("/" + longest));
        assertEquals(Errno.ENAMETOOLONG, assertThrows(FopException.class,
                () -> VolumePath.normalize(longest + "zz")).errno());
    }

    @Test
    void parentNameAndChild() {
        assertEquals("a/b", VolumePath.parent("a/b/c"));
        assertEquals("", VolumePath.parent("a"));
        assertEquals("c", VolumePath.name("a/b/c"));
        assertEquals("a/b/c", VolumePath.child("a/b", "c"));
        assertEquals("c", VolumePath.child("", "c"));
        assertEquals("/", VolumePath.display(""));
    }
}
