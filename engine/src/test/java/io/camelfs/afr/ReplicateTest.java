package io.camelfs.afr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.fop.Attr;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.LockRequest;
import io.camelfs.fop.SetAttr;
import io.camelfs.fop.Timespec;
import io.camelfs.testing.Bytes;
import io.camelfs.testing.LocalVolume;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every file operation through AFR lands identically in every brick directory. */
class ReplicateTest {
    @TempDir
    Path tmp;

    @Test
    void entryOperationsOnEveryBrick() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 3); Replicate c = v.client()) {
            c.mkdir("d", 0750);
            c.put("d/f", 0640, Bytes.of("content"));
            c.symlink("f", "d/link");
            c.link("d/f", "d/hard");
            c.mknod("d/fifo", FileType.FIFO.bits() | 0600, 0);
            c.rename("d/f", "d/g", 0);
            for (int b = 0; b < 3; b++) {
                Path d = v.file(b, "d");
                assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
                assertEquals("content", Files.readString(d.resolve("g")));
                assertFalse(Files.exists(d.resolve("f"), LinkOption.NOFOLLOW_LINKS));
                assertEquals("f", Files.readSymbolicLink(d.resolve("link")).toString());
                assertEquals(2, Files.getAttribute(d.resolve("g"), "unix:nlink"));
                assertTrue(Files.isSameFile(d.resolve("g"), d.resolve("hard")));
                assertTrue((Integer) Files.getAttribute(d.resolve("fifo"), "unix:mode", LinkOption.NOFOLLOW_LINKS)
                        == (FileType.FIFO.bits() | 0600));
            }
            // gfids agree across bricks
            Set<String> gfids = new HashSet<>();
            for (int b = 0; b < 3; b++) {
                var view = Files.getFileAttributeView(v.file(b, "d/g"),
                        java.nio.file.attribute.UserDefinedFileAttributeView.class);
                ByteBuffer buf = ByteBuffer.allocate(16);
                view.read("camelfs.gfid", buf);
                gfids.add(java.util.HexFormat.of().formatHex(buf.array()));
            }
            assertEquals(1, gfids.size());
            assertEquals(c.lookup("d/g").gfid().hex(), gfids.iterator().next());
            c.unlink("d/hard");
            c.unlink("d/link");
            c.unlink("d/fifo");
            c.unlink("d/g");
            c.rmdir("d");
            for (int b = 0; b < 3; b++) {
                assertFalse(Files.exists(v.file(b, "d")));
            }
        }
    }

    @Test
    void errorsAreThoseOfTheFilesystem() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate c = v.client()) {
            c.mkdir("d", 0755);
            c.put("d/x", 0644, Bytes.of("1"));
            assertErrno(Errno.ENOENT, () -> c.lookup("nope"));
            assertErrno(Errno.EEXIST, () -> c.mkdir("d", 0755));
            assertErrno(Errno.EEXIST, () -> c.create("d/x", 0644, true));
            assertErrno(Errno.ENOTEMPTY, () -> c.rmdir("d"));
            assertErrno(Errno.ENOTDIR, () -> c.mkdir("d/x/y", 0755));
            assertErrno(Errno.EISDIR, () -> c.unlink("d"));
            assertErrno(Errno.ENOENT, () -> c.put("missing/x", 0644, Bytes.of("1")));
            assertErrno(Errno.ENAMETOOLONG, () -> c.put("a".repeat(256), 0644, Bytes.of("1")));
            assertErrno(Errno.EINVAL, () -> c.put("../escape", 0644, Bytes.of("1")));
            assertErrno(Errno.ENODATA, () -> c.getxattr("d/x", "user.none"));
            assertErrno(Errno.EPERM, () -> c.setxattr("d/x", "user.camelfs.gfid", new byte[16], 0));
            assertErrno(Errno.ENOENT, () -> c.lookup(".camelfs"));
            assertErrno(Errno.EPERM, () -> c.mkdir(".camelfs/x", 0755));
            // the failed ops changed nothing: still one entry, same content everywhere
            for (int b = 0; b < 2; b++) {
                assertEquals("1", Files.readString(v.file(b, "d/x")));
                try (var s = Files.list(v.file(b, "d"))) {
                    assertEquals(1, s.count());
                }
            }
        }
    }

    static void assertErrno(int errno, org.junit.jupiter.api.function.Executable e) {
        FopException ex = assertThrows(FopException.class, e);
        assertEquals(Errno.name(errno), Errno.name(ex.errno()), ex.getMessage());
    }

    @Test
    void dataAndMetadataOperations() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate c = v.client()) {
            c.create("f", 0644, true);
            c.write("f", 0, Bytes.of("hello world"));
            c.write("f", 6, Bytes.of("WORLD"));
            assertEquals("hello WORLD", Bytes.text(c.read("f", 0, 100)));
            assertEquals("WORLD", Bytes.text(c.read("f", 6, 5)));
            c.truncate("f", 5);
            c.fallocate("f", 0, 0, 8192);
            Timespec mtime = new Timespec(1_600_000_000L, 123_456_789);
            Timespec atime = new Timespec(1_500_000_000L, 987_654_321);
            Attr a = c.setattr("f", new SetAttr(0600, null, 1234, null, atime, mtime, false, false));
            assertEquals(0600, a.permissions());
            c.setattr("f", new SetAttr(null, 4321, null, null, null, null, false, false));
            c.setxattr("f", "user.color", "blue".getBytes(StandardCharsets.UTF_8), 0);
            assertEquals("blue", new String(c.getxattr("f", "user.color"), StandardCharsets.UTF_8));
            assertTrue(c.listxattr("f").contains("user.color"));
            assertFalse(c.listxattr("f").stream().anyMatch(n -> n.startsWith("user.camelfs")));
            for (int b = 0; b < 2; b++) {
                Path f = v.file(b, "f");
                // times first: reading the content would move atime (relatime)
                assertEquals(FileTime.from(mtime.toInstant()), Files.getLastModifiedTime(f));
                assertEquals(FileTime.from(atime.toInstant()), Files.getAttribute(f, "unix:lastAccessTime"));
                assertEquals(8192, Files.size(f));
                byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(f), 5);
                assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), head);
                assertEquals(4321, Files.getAttribute(f, "unix:uid"));
                assertEquals(1234, Files.getAttribute(f, "unix:gid"));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            }
            c.removexattr("f", "user.color");
            assertErrno(Errno.ENODATA, () -> c.getxattr("f", "user.color"));
            assertTrue(c.statfs("").blocks() > 0);
        }
    }

    @Test
    void readdirListsEveryEntryWithAttributes() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate c = v.client()) {
            c.mkdir("big", 0755);
            int n = 2500;
            for (int i = 0; i < n; i++) {
                c.create("big/f" + i, 0644, true);
            }
            Set<String> seen = new HashSet<>();
            long cookie = 0;
            int pages = 0;
            for (;;) {
                DirPage p = c.readdir("big", cookie, 1000, true);
                for (DirEntry e : p.entries()) {
                    assertTrue(seen.add(e.name()), "listed twice: " + e.name());
                    assertNotNull(e.attr().gfid());
                    assertEquals(FileType.REGULAR, e.type());
                    cookie = e.cookie();
                }
                pages++;
                if (p.eof()) {
                    break;
                }
            }
            assertEquals(n, seen.size());
            assertTrue(pages >= 3);
            DirPage root = c.readdir("", 0, 100, false);
            assertEquals(Set.of("big"), root.entries().stream().map(DirEntry::name)
                    .collect(java.util.stream.Collectors.toSet()), "the metadata folder is hidden");
        }
    }

    @Test
    void byteRangeLocksConflictBetweenClients() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate a = v.client(); Replicate b = v.client()) {
            a.create("lockfile", 0644, true);
            a.lock("lockfile", new LockRequest(LockRequest.Command.SET, LockRequest.Type.WRITE, 0, 100, 1, 11));
            assertErrno(Errno.EAGAIN, () -> b.lock("lockfile",
                    new LockRequest(LockRequest.Command.SET, LockRequest.Type.READ, 50, 10, 2, 22)));
            var probe = b.lock("lockfile", new LockRequest(LockRequest.Command.GET, LockRequest.Type.WRITE, 0, 0, 2,
                    22));
            assertFalse(probe.granted());
            assertEquals(LockRequest.Type.WRITE, probe.type());
            assertEquals(11, probe.pid());
            // a non-overlapping range is free
            b.lock("lockfile", new LockRequest(LockRequest.Command.SET, LockRequest.Type.WRITE, 200, 10, 2, 22));
            a.lock("lockfile", new LockRequest(LockRequest.Command.SET, LockRequest.Type.UNLOCK, 0, 100, 1, 11));
            b.lock("lockfile", new LockRequest(LockRequest.Command.SET, LockRequest.Type.READ, 50, 10, 2, 22));
        }
    }

    @Test
    void aLockNamingTheGfidFollowsTheFileNotItsName() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate a = v.client(); Replicate b = v.client()) {
            Gfid file = a.create("old", 0644, true).gfid();
            a.rename("old", "new", 0);
            // the path is stale (the file is "new" now), the gfid is not: the lock lands on the file
            a.lock("old", new LockRequest(LockRequest.Command.SET, LockRequest.Type.WRITE, 0, 0, 1, 11, file));
            assertErrno(Errno.EAGAIN, () -> b.lock("new",
                    new LockRequest(LockRequest.Command.SET, LockRequest.Type.WRITE, 0, 10, 2, 22)));
            a.unlink("new");
            a.lock("new", new LockRequest(LockRequest.Command.SET, LockRequest.Type.UNLOCK, 0, 0, 1, 11, file));
            a.lock("new", new LockRequest(LockRequest.Command.SET, LockRequest.Type.READ, 0, 0, 1, 11, file));
            assertErrno(Errno.EAGAIN, () -> b.lock("gone", new LockRequest(LockRequest.Command.SET,
                    LockRequest.Type.WRITE, 5, 1, 2, 22, file)));
            assertErrno(Errno.ENOENT, () -> b.lock("new",
                    new LockRequest(LockRequest.Command.SET, LockRequest.Type.WRITE, 0, 10, 2, 22)));
        }
    }

    @Test
    void flockLocksConflictWithEachOtherButNotWithPosixLocks() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate a = v.client(); Replicate b = v.client()) {
            Gfid file = a.create("f", 0644, true).gfid();
            a.lock("f", LockRequest.flock(LockRequest.Command.SET, LockRequest.Type.WRITE, 1, 11, file));
            assertErrno(Errno.EAGAIN, () -> b.lock("f",
                    LockRequest.flock(LockRequest.Command.SET, LockRequest.Type.READ, 2, 22, file)));
            b.lock("f", new LockRequest(LockRequest.Command.SET, LockRequest.Type.WRITE, 0, 0, 2, 22, file));
            a.lock("f", LockRequest.flock(LockRequest.Command.SET, LockRequest.Type.UNLOCK, 1, 11, file));
            b.lock("f", LockRequest.flock(LockRequest.Command.SET, LockRequest.Type.READ, 2, 22, file));
        }
    }

    @Test
    void blockingLockWaitsForRelease() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate a = v.client(); Replicate b = v.client()) {
            a.create("l", 0644, true);
            a.lock("l", new LockRequest(LockRequest.Command.SET, LockRequest.Type.WRITE, 0, 0, 1, 1));
            long[] grantedAt = new long[1];
            Thread t = new Thread(() -> {
                b.lock("l", new LockRequest(LockRequest.Command.SET_WAIT, LockRequest.Type.WRITE, 0, 0, 2, 2));
                grantedAt[0] = System.nanoTime();
            });
            t.start();
            Thread.sleep(300);
            assertEquals(0, grantedAt[0], "must wait while the lock is held");
            long released = System.nanoTime();
            a.lock("l", new LockRequest(LockRequest.Command.SET, LockRequest.Type.UNLOCK, 0, 0, 1, 1));
            t.join(5000);
            assertTrue(grantedAt[0] >= released, "granted after release");
        }
    }

    @Test
    void nonRootCallerOwnsWhatItCreates() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate c = v.client()) {
            FileOps as = c.as(new io.camelfs.fop.Caller(1000, 1000));
            as.mkdir("home", 0755);
            as.put("home/f", 0600, Bytes.of("x"));
            for (int b = 0; b < 2; b++) {
                assertEquals(1000, Files.getAttribute(v.file(b, "home/f"), "unix:uid"));
                assertEquals(1000, Files.getAttribute(v.file(b, "home"), "unix:gid"));
            }
        }
    }
}
