package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.afr.Replicate;
import io.camelfs.fop.Caller;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.FopException;
import io.camelfs.fop.SetAttr;
import io.camelfs.heal.HealProgress;
import io.camelfs.heal.Healer;
import io.camelfs.testing.BrickInspector;
import io.camelfs.testing.Bytes;
import io.camelfs.testing.LocalVolume;
import io.camelfs.volume.InvalidVolumeException;
import io.camelfs.volume.VolumeOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * root-squash and all-squash, enforced by the bricks: a squashed user owns what it creates as anonuid/anongid and
 * gets exactly the EACCES/EPERM a local filesystem gives that user; heal, which acts for nobody, is not squashed.
 */
class SquashTest {
    @TempDir
    Path tmp;

    private static int uid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int gid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * As with NFS, a squashed root creates only where nobody may: the administrator opens the volume's top
     * directory (on every brick) for it, sticky like /tmp.
     */
    private static void openTop(LocalVolume v) throws Exception {
        for (Path d : v.dirs) {
            Files.setAttribute(d, "unix:mode", 01777);
        }
    }

    /** A root-only directory with a root-only file, made on every brick as an administrator would. */
    private static void rootOnly(LocalVolume v) throws Exception {
        openTop(v);
        for (Path d : v.dirs) {
            Path dir = Files.createDirectories(d.resolve("private"));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path f = Files.writeString(dir.resolve("key"), "root's secret");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            Path open = Files.writeString(d.resolve("root-file"), "readable by all");
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    @Test
    void squashedRootOwnsWhatItCreatesAsAnonAndIsRefusedWhatNobodyMayDo() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of("root-squash", "on"));
                Replicate c = v.client()) {
            rootOnly(v);
            c.lookup("private"); // camelfs gives the administrator's files their ids
            c.lookup("root-file");
            FileOps root = c.as(Caller.ROOT);
            root.put("made-by-root", 0644, Bytes.of("hello"));
            for (Path d : v.dirs) {
                assertEquals(65534, uid(d.resolve("made-by-root")), d.toString());
                assertEquals(65534, gid(d.resolve("made-by-root")), d.toString());
            }
            assertEquals(65534, root.lookup("made-by-root").uid());

            Map<String, String> before0 = BrickInspector.snapshot(v.dirs.get(0), true);
            Map<String, String> before1 = BrickInspector.snapshot(v.dirs.get(1), true);
            assertEquals(Errno.EACCES, assertThrows(FopException.class, () -> root.lookup("private/key")).errno());
            assertEquals(Errno.EACCES, assertThrows(FopException.class,
                    () -> root.put("private/planted", 0644, Bytes.of("x"))).errno());
            assertEquals(Errno.EACCES, assertThrows(FopException.class,
                    () -> root.write("root-file", 0, Bytes.of("overwritten"))).errno());
            assertEquals(Errno.EPERM, assertThrows(FopException.class, () -> root.unlink("root-file")).errno());
            assertEquals(Errno.EPERM, assertThrows(FopException.class,
                    () -> root.setattr("root-file", SetAttr.mode(0666))).errno());
            assertEquals(Errno.EPERM, assertThrows(FopException.class,
                    () -> root.setattr("made-by-root", SetAttr.owner(0, null))).errno());
            assertEquals("readable by all", StandardCharsets.UTF_8.decode(root.read("root-file", 0, 100)).toString());
            assertEquals(before0, BrickInspector.snapshot(v.dirs.get(0), true), "a refused request changed brick 0");
            assertEquals(before1, BrickInspector.snapshot(v.dirs.get(1), true), "a refused request changed brick 1");
            assertFalse(Files.exists(v.file(0, "private/planted")));

            // what nobody may do to its own file, it may: chmod, truncate, remove
            root.setattr("made-by-root", SetAttr.mode(0600));
            assertEquals(0600, root.lookup("made-by-root").permissions());
            root.unlink("made-by-root");

            // other users are not squashed: their creations keep their ids
            FileOps user = c.as(new Caller(1000, 1000));
            user.mkdir("u", 0755);
            assertEquals(1000, uid(v.file(0, "u")));
            assertEquals(1000, uid(v.file(1, "u")));
        }
    }

    @Test
    void allSquashMapsEveryUserToTheConfiguredIds() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of("all-squash", "true", "anonuid", "4321",
                "anongid", "4322")); Replicate c = v.client()) {
            openTop(v);
            c.as(new Caller(1000, 100)).put("a", 0644, Bytes.of("a"));
            c.as(Caller.ROOT).mkdir("d", 0755);
            for (Path d : v.dirs) {
                assertEquals(4321, uid(d.resolve("a")));
                assertEquals(4322, gid(d.resolve("a")));
                assertEquals(4321, uid(d.resolve("d")));
            }
            // user 1000 is 4321 now: it may write what it made as 1000 ... which is 4321's
            c.as(new Caller(1000, 100)).write("a", 0, Bytes.of("b"));
        }
    }

    @Test
    void healIsNotSquashedAndRepairsWhatOnlyItsOwnerMayRead() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of("root-squash", "on")); Replicate c = v.client();
                Healer h = new Healer(c.replicas(), "test")) {
            FileOps user = c.as(new Caller(1000, 1000));
            openTop(v);
            user.mkdir("home", 0700);
            v.stop(1);
            LocalVolume.awaitUp(c, 1, 10_000);
            user.put("home/diary", 0600, Bytes.of("private"));
            v.start(1);
            LocalVolume.awaitUp(c, 2, 10_000);
            h.index(HealProgress.NONE);
            assertEquals("private", Files.readString(v.file(1, "home/diary")));
            assertEquals(1000, uid(v.file(1, "home/diary")));
        }
    }

    @Test
    void badSquashOptionsNameTheOption() {
        InvalidVolumeException e = assertThrows(InvalidVolumeException.class,
                () -> VolumeOptions.of(Map.of("anonuid", "nobody"), 2));
        assertTrue(e.getMessage().contains("anonuid"), e.getMessage());
        e = assertThrows(InvalidVolumeException.class, () -> VolumeOptions.of(Map.of("root-squash", "maybe"), 2));
        assertTrue(e.getMessage().contains("root-squash"), e.getMessage());
    }
}
