package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** root-squash and all-squash through a FUSE mount: the bricks decide who a user is, whatever the mount lets through. */
class SquashIT {
    @TempDir
    Path work;

    @Test
    void allSquashMakesEveryUserOnAMountTheAnonymousOne() throws Exception {
        // other users must be able to walk to the mountpoint
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 2,
                "          all-squash: on\n          anonuid: 4321\n          anongid: 4322\n");
        try (NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
                NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1))) {
            for (int b = 1; b <= 2; b++) {
                Files.setAttribute(work.resolve("data/brick" + b), "unix:mode", 01777);
            }
            Path m = work.resolve("m");
            try (Mounted mount = Mounted.mount(work, "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web", m,
                    "allow_other")) {
                Sh.run(work, Duration.ofSeconds(30), "echo root > " + m + "/by-root; setpriv --reuid=1000"
                        + " --regid=1000 --clear-groups sh -c 'echo user > " + m + "/by-user'").ok();
            }
            for (int b = 1; b <= 2; b++) {
                for (String f : new String[] {"by-root", "by-user"}) {
                    Path p = work.resolve("data/brick" + b + "/" + f);
                    assertEquals(4321, Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS), p.toString());
                    assertEquals(4322, Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS), p.toString());
                }
            }
        }
    }

    @Test
    void rootOnAMountActsAsNobody() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 2, "          root-squash: on\n");
        try (NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
                NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1))) {
            for (int b = 1; b <= 2; b++) {
                // what an administrator prepares on every brick: an open top directory, a private one
                Path brick = work.resolve("data/brick" + b);
                Files.setAttribute(brick, "unix:mode", 01777);
                Path priv = Files.createDirectories(brick.resolve("private"));
                Files.setAttribute(priv, "unix:mode", 0700);
                Files.writeString(priv.resolve("key"), "root's secret");
            }
            Path m = work.resolve("m");
            try (Mounted mount = Mounted.mount(work, "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web", m,
                    "")) {
                Sh.Result r = Sh.run(work, Duration.ofSeconds(30), "cd " + m + "; echo hi > file; stat -c '%u %g' file;"
                        + " cat private/key; echo \"cat=$?\"; touch private/planted; echo \"touch=$?\";"
                        + " chown 0:0 file; echo \"chown=$?\"; id -u");
                assertTrue(r.out().contains("65534 65534"), "root's file belongs to nobody: " + r.out());
                assertTrue(r.out().contains("cat=1") && r.out().contains("touch=1") && r.out().contains("chown=1")
                        && r.out().trim().endsWith("0"), r.out() + r.err());
                assertTrue(r.err().contains("Permission denied") && r.err().contains("Operation not permitted"),
                        r.err());
            }
            for (int b = 1; b <= 2; b++) {
                Path brick = work.resolve("data/brick" + b);
                assertEquals("hi\n", Files.readString(brick.resolve("file")));
                assertEquals(65534, Files.getAttribute(brick.resolve("file"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
                assertFalse(Files.exists(brick.resolve("private/planted")), "refused create reached brick " + b);
            }
        }
    }
}
