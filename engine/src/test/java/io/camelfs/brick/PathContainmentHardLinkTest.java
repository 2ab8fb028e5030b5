package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.fop.Gfid;
import io.camelfs.posix.Posix;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Install;
import io.camelfs.protocol.v1.Stat;
import io.camelfs.protocol.v1.Write;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hard links: no request makes the brick link an inode from outside its root, whichever way the existing name or
 * the new one is spelled. A hard link the administrator made on the brick's disk is another matter: it is the same
 * inode under a second name, and neither the brick nor a local filesystem can tell it from any other file.
 */
class PathContainmentHardLinkTest {
    private static final String SECRET = "outside-secret-5d21";

    @TempDir
    Path tmp;
    private Path outside;
    private HostileBrick brick;

    @BeforeEach
    void start() throws Exception {
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), SECRET);
        brick = new HostileBrick(tmp.resolve("v"));
        assertEquals(0, brick.create("file", "inside").getErrno());
        assertEquals(0, brick.symlink("escape", outside.toString()).getErrno());
        assertEquals(0, brick.symlink("secret-link", outside.resolve("secret").toString()).getErrno());
    }

    @AfterEach
    void stop() {
        brick.close();
    }

    @Test
    void aLinkRequestNeverNamesAnInodeOutside() throws Exception {
        TreeSnapshot before = TreeSnapshot.of(outside);
        // the existing name leads outside: by '..', by an absolute path (volume-rooted: not there), by a symlink
        assertEquals(Errno.EINVAL, brick.link("../outside/secret", "l1").getErrno());
        assertEquals(Errno.EINVAL, brick.link("d/../../outside/secret", "l2").getErrno());
        assertEquals(Errno.ENOENT, brick.link(outside.resolve("secret").toString(), "l3").getErrno());
        // a local link(2) would follow "escape"; a brick never follows a symlink on a client's behalf (a mount
        // never sends one mid-path: the kernel resolves symlinks itself, one lookup at a time)
        assertEquals(Errno.ELOOP, brick.link("escape/secret", "l4").getErrno());
        // the new name leads outside
        assertEquals(Errno.EINVAL, brick.link("file", "../outside/l5").getErrno());
        assertEquals(Errno.ENOENT, brick.link("file", outside.resolve("l6").toString()).getErrno());
        assertEquals(Errno.ELOOP, brick.link("file", "escape/l7").getErrno());
        // heal's install makes hard links too
        assertEquals(Errno.EINVAL, installLink("l8", "../outside/secret").getErrno());
        assertEquals(Errno.ELOOP, installLink("l9", "escape/secret").getErrno());
        assertEquals(Errno.ESTALE, installLink("l10", "secret-link").getErrno(), "a symlink carries no gfid");

        assertEquals(before, TreeSnapshot.of(outside), "the secret's link count and ctime did not move");
        try (Stream<Path> s = Files.list(brick.dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("l")), "no link was made");
        }
    }

    @Test
    void linkingASymlinkLinksTheSymlinkNotItsTargetAsLocally() throws Exception {
        TreeSnapshot before = TreeSnapshot.of(outside);
        Path local = Files.createDirectories(tmp.resolve("local"));
        Files.createSymbolicLink(local.resolve("secret-link"), outside.resolve("secret"));
        int fd = Posix.openat(Posix.AT_FDCWD, local.toString(), Posix.O_RDONLY | Posix.O_DIRECTORY, 0);
        try {
            Posix.linkat(fd, "secret-link", fd, "hl"); // linkat without AT_SYMLINK_FOLLOW, as link(2) on Linux
        } finally {
            Posix.close(fd);
        }
        assertTrue(Files.isSymbolicLink(local.resolve("hl")), "locally: a second name for the symlink");
        Files.delete(local.resolve("hl"));
        Files.delete(local.resolve("secret-link"));

        FopReply r = brick.link("secret-link", "hl");
        assertEquals(0, r.getErrno(), r.getError());
        assertEquals(FileType.SYMLINK.bits(), r.getStat().getMode() & FileType.S_IFMT);
        Path hl = brick.dir.resolve("hl");
        assertTrue(Files.isSymbolicLink(hl));
        assertEquals(TreeSnapshot.inode(brick.dir.resolve("secret-link")), TreeSnapshot.inode(hl));
        assertEquals(outside.resolve("secret"), Files.readSymbolicLink(hl));
        FopReply read = brick.read("hl");
        assertEquals(Errno.ELOOP, read.getErrno(), "and it is not followed either");
        assertTrue(read.getData().isEmpty());
        assertEquals(before, TreeSnapshot.of(outside));
    }

    /**
     * An administrator who hard-links a file from elsewhere into the brick directory made that inode part of the
     * brick: the brick cannot tell the two names apart (there is no "original"), and serves it like any file, as a
     * local filesystem would. Containment is about names, and every name the brick resolves lies beneath its root.
     */
    @Test
    void anAdministratorsHardLinkIsServedLikeAnyFile() throws Exception {
        Path shared = Files.writeString(outside.resolve("shared"), "shared by the administrator");
        Object outsideDev = Files.getAttribute(outside, "unix:dev");
        assumeTrue(outsideDev.equals(Files.getAttribute(brick.dir, "unix:dev")), "hard links need one filesystem");
        Files.createLink(brick.dir.resolve("admin-link"), shared);

        FopReply read = brick.read("admin-link");
        assertEquals(0, read.getErrno(), read.getError());
        assertEquals(Files.readString(shared), read.getData().toStringUtf8(), "the same bytes a local read gives");
        FopReply write = brick.send(FopRequest.newBuilder().setWrite(Write.newBuilder().setPath("admin-link")
                .setData(ByteString.copyFromUtf8("rewritten")).setTruncate(9)));
        assertEquals(0, write.getErrno(), write.getError());
        assertEquals("rewritten", Files.readString(shared), "one inode, so both names see the write, as locally");
        // a link request on it is a link of an inode already in the brick: the link count grows as locally
        assertEquals(0, brick.link("admin-link", "admin-link-2").getErrno());
        assertEquals(3, Files.getAttribute(shared, "unix:nlink"));
        // and camelfs made no other link to anything outside
        assertEquals(1, Files.getAttribute(outside.resolve("secret"), "unix:nlink"));
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(Set.of(outside.resolve("secret"), shared), Set.copyOf(s.toList()));
        }
        assertFalse(Files.exists(brick.dir.resolve("secret"), LinkOption.NOFOLLOW_LINKS));
    }

    private FopReply installLink(String path, String linkTo) {
        return brick.send(FopRequest.newBuilder().setInstall(Install.newBuilder().setPath(path)
                .setGfid(Wire.gfid(Gfid.random())).setStat(Stat.newBuilder().setMode(FileType.REGULAR.bits() | 0644))
                .setLinkTo(linkTo)));
    }
}
