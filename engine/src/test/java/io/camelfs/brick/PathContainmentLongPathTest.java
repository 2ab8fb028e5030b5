package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.camelfs.fop.Errno;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Readlink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linux takes a path of at most PATH_MAX (4096) bytes with its terminating NUL: 4095 bytes work, 4096 are
 * ENAMETOOLONG, however short the components. A brick resolves a request's path relative to its root, so the same
 * string relative to a local directory must get the same answer, and a refused path must create nothing.
 */
class PathContainmentLongPathTest {
    /** 15 names of 255 bytes and one of 1: a directory whose path is 3841 bytes. */
    private static final String DEEP = ("a".repeat(255) + "/").repeat(15) + "x";
    /** A path of exactly 4095 bytes, the longest Linux takes, and one of 4096. */
    private static final String LONGEST = DEEP + "/" + "b".repeat(253);
    private static final String TOO_LONG = DEEP + "/" + "b".repeat(254);

    @TempDir
    Path tmp;
    private HostileBrick brick;
    private LocalDir local;

    @BeforeEach
    void start() throws Exception {
        brick = new HostileBrick(tmp.resolve("v"));
        local = new LocalDir(Files.createDirectories(tmp.resolve("local")));
    }

    @AfterEach
    void stop() throws Exception {
        local.close();
        brick.close();
        // paths past PATH_MAX are beyond java.nio (and so @TempDir's cleanup); rm walks them with openat
        Process rm = new ProcessBuilder("rm", "-rf", "--", tmp.resolve("local").toString(), brick.dir.toString())
                .inheritIO().start();
        assertEquals(0, rm.waitFor(), "rm -rf of the deep trees");
    }

    @Test
    void pathsOverPathMaxAreTooLongAndCreateNothing() throws Exception {
        String[] paths = {
            ("c".repeat(200) + "/").repeat(21) + "f", // long components: 4221 bytes
            "d/".repeat(2100) + "f",                   // many short components: 4201 bytes
            "e".repeat(4096),                          // one component, over both limits: PATH_MAX is checked first
        };
        TreeSnapshot before = TreeSnapshot.of(brick.dir);
        for (String p : paths) {
            String what = p.length() + "-byte path";
            assertEquals(Errno.ENAMETOOLONG, local.create(p), what + " locally");
            assertEquals(Errno.ENAMETOOLONG, brick.create(p, "x").getErrno(), what);
            assertEquals(Errno.ENAMETOOLONG, local.mkdir(p));
            assertEquals(Errno.ENAMETOOLONG, brick.mkdir(p).getErrno());
            assertEquals(Errno.ENAMETOOLONG, local.stat(p));
            assertEquals(Errno.ENAMETOOLONG, brick.lookup(p).getErrno());
        }
        assertEquals(before, TreeSnapshot.of(brick.dir), "nothing created, nothing touched");
    }

    @Test
    void theLongestPathIs4095BytesLikeLocally() throws Exception {
        String dir = "";
        for (String name : DEEP.split("/")) {
            dir = dir.isEmpty() ? name : dir + "/" + name;
            assertEquals(0, local.mkdir(dir));
            assertEquals(0, brick.mkdir(dir).getErrno());
        }
        assertEquals(4095, LONGEST.length());
        assertEquals(4096, TOO_LONG.length());
        assertEquals(0, local.create(LONGEST), "4095 bytes locally");
        FopReply longest = brick.create(LONGEST, "x");
        assertEquals(0, longest.getErrno(), "4095 bytes: " + longest.getError());
        assertEquals(Errno.ENAMETOOLONG, local.create(TOO_LONG), "4096 bytes locally");
        assertEquals(Errno.ENAMETOOLONG, brick.create(TOO_LONG, "x").getErrno(), "4096 bytes");
        assertEquals(0, local.stat(LONGEST));
        assertEquals(0, brick.lookup(LONGEST).getErrno());
        assertEquals(Errno.ENAMETOOLONG, local.stat(TOO_LONG));
        assertEquals(Errno.ENAMETOOLONG, brick.lookup(TOO_LONG).getErrno());

        // (java.nio cannot walk this deep: the brick lists the deepest directory, by its 3841-byte path)
        List<String> before = brick.list(DEEP);
        assertEquals(List.of("b".repeat(253)), before);
        assertEquals(Errno.ENAMETOOLONG, local.mkdir(TOO_LONG));
        assertEquals(Errno.ENAMETOOLONG, brick.mkdir(TOO_LONG).getErrno());
        assertEquals(Errno.ENAMETOOLONG, local.symlink(TOO_LONG, "t"));
        assertEquals(Errno.ENAMETOOLONG, brick.symlink(TOO_LONG, "t").getErrno());
        assertEquals(Errno.ENAMETOOLONG, local.link(LONGEST, TOO_LONG));
        assertEquals(Errno.ENAMETOOLONG, brick.link(LONGEST, TOO_LONG).getErrno());
        assertEquals(Errno.ENAMETOOLONG, local.rename(LONGEST, TOO_LONG));
        assertEquals(Errno.ENAMETOOLONG, brick.rename(LONGEST, TOO_LONG).getErrno());
        assertEquals(before, brick.list(DEEP), "a refused request creates nothing");

        // a leading '/' names the volume root, as the mount sends paths: it is not part of the brick's path
        assertEquals(0, brick.lookup("/" + LONGEST).getErrno());
    }

    @Test
    void aSymlinkTargetOverPathMaxIsTooLongLikeLocally() throws Exception {
        String longest = "t".repeat(4095);
        assertEquals(0, local.symlink("ok", longest));
        assertEquals(0, brick.symlink("ok", longest).getErrno());
        FopReply read = brick.send(FopRequest.newBuilder().setReadlink(Readlink.newBuilder().setPath("ok")));
        assertEquals(longest, read.getText(), "read back whole");
        assertEquals(Errno.ENAMETOOLONG, local.symlink("long", "t".repeat(4096)));
        assertEquals(Errno.ENAMETOOLONG, brick.symlink("long", "t".repeat(4096)).getErrno());
        assertEquals(Errno.ENOENT, brick.lookup("long").getErrno(), "and nothing was made");
    }
}
