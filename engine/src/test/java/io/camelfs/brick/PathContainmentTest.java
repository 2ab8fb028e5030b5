package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.camelfs.afr.Replicate;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Create;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Mkdir;
import io.camelfs.protocol.v1.Read;
import io.camelfs.protocol.v1.Rename;
import io.camelfs.protocol.v1.Symlink;
import io.camelfs.protocol.v1.Write;
import io.camelfs.testing.LocalVolume;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing outside a brick root is ever read or written, whatever path a client sends: these requests go to the
 * brick directly, past the client's own checks, as a hostile client would send them.
 */
class PathContainmentTest {
    @TempDir
    Path tmp;
    private HostileBrick brick;
    private LocalVolume volume;
    private Path outside;

    @BeforeEach
    void start() throws Exception {
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "do not read me");
        brick = new HostileBrick(tmp.resolve("v"));
        volume = brick.volume;
    }

    @AfterEach
    void stop() {
        brick.close();
    }

    private FopReply send(FopRequest.Builder r) {
        return brick.sendNumbered(r);
    }

    private FopRequest.Builder create(String path) {
        return FopRequest.newBuilder().setCreate(Create.newBuilder().setPath(path).setGfid(Wire.gfid(Gfid.random()))
                .setMode(0644).setData(ByteString.copyFromUtf8("pwned")));
    }

    private void assertOutsideUntouched() throws Exception {
        try (var s = Files.list(outside)) {
            assertEquals(List.of(outside.resolve("secret")), s.toList(), "nothing new outside the brick");
        }
        assertEquals("do not read me", Files.readString(outside.resolve("secret")));
        try (var s = Files.list(tmp)) {
            assertEquals(2, s.count(), "nothing new next to the brick either");
        }
    }

    @Test
    void dotDotAndAbsolutePathsAreRefused() throws Exception {
        for (String p : new String[] {"../outside/x", "a/../../outside/x", "..", "./../outside/x"}) {
            FopReply r = send(create(p));
            assertEquals(Errno.EINVAL, r.getErrno(), p + ": " + r.getError());
        }
        // an absolute path is relative to the volume root, as a mount's paths are: it lands inside the brick
        FopReply abs = send(create("/abs-file"));
        assertEquals(0, abs.getErrno(), abs.getError());
        assertEquals("pwned", Files.readString(volume.dirs.get(0).resolve("abs-file")));
        FopReply absDeep = send(create(outside.resolve("x").toString()));
        assertEquals(Errno.ENOENT, absDeep.getErrno(), "the outside directory does not exist in the volume");
        assertOutsideUntouched();
    }

    @Test
    void symlinksInsideTheBrickAreNeverFollowed() throws Exception {
        Path brick = volume.dirs.get(0);
        Files.createSymbolicLink(brick.resolve("escape"), outside);
        Files.createSymbolicLink(brick.resolve("secret-link"), outside.resolve("secret"));
        Files.createSymbolicLink(brick.resolve("rel"), Path.of("../../outside"));
        for (String p : new String[] {"escape/x", "rel/x", "escape/deeper/x"}) {
            FopReply r = send(create(p));
            assertNotEquals(0, r.getErrno(), p + " must fail");
            assertTrue(r.getErrno() == Errno.ELOOP || r.getErrno() == Errno.ENOTDIR || r.getErrno() == Errno.EXDEV,
                    p + ": " + Errno.name(r.getErrno()));
        }
        FopReply mk = send(FopRequest.newBuilder().setMkdir(Mkdir.newBuilder().setPath("escape/newdir")
                .setGfid(Wire.gfid(Gfid.random())).setMode(0755)));
        assertNotEquals(0, mk.getErrno());
        FopReply read = send(FopRequest.newBuilder().setRead(Read.newBuilder().setPath("secret-link")
                .setLength(100)));
        assertEquals(Errno.ELOOP, read.getErrno(), "a final symlink is not followed: " + read.getError());
        FopReply readThrough = send(FopRequest.newBuilder().setRead(Read.newBuilder().setPath("escape/secret")
                .setLength(100)));
        assertNotEquals(0, readThrough.getErrno());
        assertTrue(readThrough.getData().isEmpty());
        FopReply write = send(FopRequest.newBuilder().setWrite(Write.newBuilder().setPath("secret-link")
                .setData(ByteString.copyFromUtf8("pwned")).setTruncate(-1)));
        assertEquals(Errno.ELOOP, write.getErrno());
        FopReply mv = send(FopRequest.newBuilder().setRename(Rename.newBuilder().setFrom("secret-link")
                .setTo("escape/moved")));
        assertNotEquals(0, mv.getErrno());
        // making a symlink that points outside is allowed (a local filesystem allows it), following it is not
        FopReply ln = send(FopRequest.newBuilder().setSymlink(Symlink.newBuilder().setPath("made")
                .setTarget("/etc/passwd")));
        assertEquals(0, ln.getErrno());
        FopReply via = send(create("made/x"));
        assertNotEquals(0, via.getErrno());
        assertOutsideUntouched();
    }

    @Test
    void theMetadataFolderIsNotReachable() throws Exception {
        FopReply r = send(create(".camelfs/index/pending/evil"));
        assertEquals(Errno.EPERM, r.getErrno());
        FopReply read = send(FopRequest.newBuilder().setRead(Read.newBuilder().setPath(".camelfs/brick.properties")
                .setLength(100)));
        assertEquals(Errno.ENOENT, read.getErrno());
    }

    @Test
    void theReplicateClientRefusesEscapesBeforeSending() throws Exception {
        try (Replicate c = volume.client()) {
            FopException e = org.junit.jupiter.api.Assertions.assertThrows(FopException.class,
                    () -> c.put("../../outside/x", 0644, ByteBuffer.wrap(new byte[1])));
            assertEquals(Errno.EINVAL, e.errno());
            assertFalse(Files.exists(outside.resolve("x")));
        }
        assertOutsideUntouched();
    }
}
