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

/** root-squash through a FUSE mount: root on the web node is nobody on the volume, whatever the mount lets through. */
class SquashIT {
    @TempDir
    Path work;

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
