package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mounting as an operator does it -- camelfs mount, mount -t camelfs, fstab -- and what goes wrong. */
class MountCommandIT {
    @TempDir
    Path work;

    private NodeProcess.Result mount(String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "mount";
        System.arraycopy(args, 0, all, 1, args.length);
        return NodeProcess.cli(work, Duration.ofSeconds(30), all);
    }

    private static void assertOneLine(NodeProcess.Result r, String expected) {
        assertNotEquals(0, r.exit(), "must fail:\n" + r.err());
        assertEquals(1, r.err().strip().split("\n").length, "one line: " + r.err());
        assertTrue(r.err().startsWith("camelfs: ") && r.err().contains(expected), r.err());
    }

    @Test
    void badInput() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 1, "");
        String server = "127.0.0.1:" + NodeProcess.port(yaml.get(0));
        Path mp = Files.createDirectories(work.resolve("mp"));
        try (NodeProcess n = NodeProcess.start("node", work, yaml.get(0))) {
            long t0 = System.nanoTime();
            assertOneLine(mount(server + ":/nope", mp.toString()), "no volume 'nope'");
            assertOneLine(mount("127.0.0.1:" + NodeProcess.freePort() + ":/web", mp.toString()),
                    "connection refused");
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "both failures within 10 s");
            assertOneLine(mount(server + ":/web", work.resolve("missing").toString()), "does not exist");
            Files.writeString(mp.resolve("keep.txt"), "mine");
            assertOneLine(mount(server + ":/web", mp.toString()), "is not empty");
            assertEquals("mine", Files.readString(mp.resolve("keep.txt")), "the refused mount touched nothing");
            assertOneLine(mount("-o", "colour=blue", server + ":/web", work.resolve("x").toString()),
                    "unknown mount option 'colour=blue'");
            Path mp2 = Files.createDirectories(work.resolve("mp2"));
            try (Mounted m = Mounted.mount(work, server + ":/web", mp2, "")) {
                assertOneLine(mount(server + ":/web", mp2.toString()), "is already mounted");
            }
        }
    }

    @Test
    void killedMountIsClearedByUmountAndRemounts() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 1, "");
        String address = "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web";
        Path mp = work.resolve("mnt");
        try (NodeProcess n = NodeProcess.start("node", work, yaml.get(0))) {
            Mounted m = Mounted.mount(work, address, mp, "");
            Files.writeString(mp.resolve("a.txt"), "survives");
            Sh.run(work, Duration.ofSeconds(10), "kill -9 " + m.pid()).ok();
            Thread.sleep(300);
            Sh.Result dead = Sh.run(work, Duration.ofSeconds(10), "ls " + mp);
            assertNotEquals(0, dead.exit());
            assertTrue(dead.err().contains("Transport endpoint is not connected"), dead.err());
            Sh.run(work, Duration.ofSeconds(20), "umount " + mp).ok();
            assertFalse(Mounted.isMounted(mp));
            try (Mounted again = Mounted.mount(work, address, mp, "")) {
                assertEquals("survives", Files.readString(mp.resolve("a.txt")));
            }
        }
    }

    @Test
    void sigtermUnmountsCleanly() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 1, "");
        String address = "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web";
        Path mp = work.resolve("mnt");
        try (NodeProcess n = NodeProcess.start("node", work, yaml.get(0))) {
            Mounted m = Mounted.mount(work, address, mp, "");
            long pid = m.pid();
            Sh.run(work, Duration.ofSeconds(10), "kill -TERM " + pid).ok();
            Sh.run(work, Duration.ofSeconds(20), "while kill -0 " + pid + " 2>/dev/null; do sleep 0.1; done").ok();
            assertFalse(Mounted.isMounted(mp), "SIGTERM unmounts");
            assertTrue(Files.isDirectory(mp) && Files.list(mp).count() == 0, "the mountpoint is usable again");
        }
    }

    @Test
    void mountTypeCamelfsAndFstabWithNetdev() throws Exception {
        Path helper = Path.of("/sbin/mount.camelfs");
        boolean installed = !Files.exists(helper, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (installed) {
            Files.createSymbolicLink(helper, NodeProcess.HOME.resolve("bin/mount.camelfs"));
        }
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 1, "");
        String address = "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web";
        try (NodeProcess n = NodeProcess.start("node", work, yaml.get(0))) {
            Path a = Files.createDirectories(work.resolve("by-type"));
            Sh.run(work, Duration.ofSeconds(30), "mount -t camelfs -o log-file=" + work + "/t.log " + address
                    + " " + a).ok();
            try (Mounted m = reuse(a)) {
                assertTrue(Mounted.isMounted(a));
                Files.writeString(a.resolve("via-type.txt"), "mount -t camelfs");
            }
            Path b = Files.createDirectories(work.resolve("by-fstab"));
            Path fstab = work.resolve("fstab");
            Files.writeString(fstab, address + " " + b + " camelfs defaults,_netdev,noauto,log-file=" + work
                    + "/f.log 0 0\n");
            Sh.run(work, Duration.ofSeconds(30), "mount --fstab " + fstab + " " + b).ok();
            try (Mounted m = reuse(b)) {
                assertEquals("mount -t camelfs", Files.readString(b.resolve("via-type.txt")));
            }
        } finally {
            if (installed) {
                Files.deleteIfExists(helper);
            }
        }
    }

    private Mounted reuse(Path dir) throws Exception {
        assertTrue(Mounted.isMounted(dir), dir + " is mounted");
        return Mounted.adopt(work, dir);
    }
}
