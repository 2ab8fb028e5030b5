package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against real nodes: replication is usable without FUSE, and bad input gets one line. */
class CliIT {
    @TempDir
    Path work;

    private NodeProcess.Result cli(String... args) throws Exception {
        return NodeProcess.cli(work, Duration.ofSeconds(30), args);
    }

    private static void assertOneLineError(NodeProcess.Result r, String expected) {
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().strip().split("\n").length, "one line: " + r.err());
        assertTrue(r.err().startsWith("camelfs: ") && r.err().contains(expected), r.err());
    }

    @Test
    void copyCatListRemoveAndStatus() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 2, "");
        String server = "127.0.0.1:" + NodeProcess.port(yaml.get(0));
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(big);
        Files.write(work.resolve("big.bin"), big);
        Files.writeString(work.resolve("small.txt"), "small\n");
        try (NodeProcess n1 = NodeProcess.start("n1", work, yaml.get(0));
                NodeProcess n2 = NodeProcess.start("n2", work, yaml.get(1))) {
            var status = cli("volume", "status", server + ":/web");
            assertEquals(0, status.exit(), status.out() + status.err());
            assertEquals(2, status.out().split(" up\n", -1).length - 1, status.out());

            assertEquals(0, cli("cp", "big.bin", server + ":/web/big.bin").exit());
            assertEquals(0, cli("cp", "small.txt", server + ":/web/").exit());
            var cat = cli("cat", server + ":/web/big.bin");
            assertEquals(0, cat.exit(), cat.err());
            assertTrue(java.util.Arrays.equals(big, cat.out().getBytes(StandardCharsets.ISO_8859_1)), "cat = cp");
            assertTrue(java.util.Arrays.equals(big, Files.readAllBytes(work.resolve("data/brick2/big.bin"))));
            var ls = cli("ls", server + ":/web");
            assertEquals("big.bin\nsmall.txt\n", ls.out());
            var ll = cli("ls", "-l", server + ":/web");
            assertTrue(ll.out().contains(" " + big.length + " ") && ll.out().startsWith("-rw"), ll.out());
            assertEquals(0, cli("rm", server + ":/web/small.txt").exit());
            assertTrue(!Files.exists(work.resolve("data/brick1/small.txt")));
            assertTrue(!Files.exists(work.resolve("data/brick2/small.txt")));
            assertOneLineError(cli("cat", server + ":/web/small.txt"), "No such file or directory");

            n2.kill9();
            var down = cli("volume", "status", server + ":/web");
            assertEquals(1, down.exit(), "not all bricks up");
            assertTrue(down.out().contains("down (connection refused)"), down.out());
        }
    }

    @Test
    void badInput() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 1, "");
        String server = "127.0.0.1:" + NodeProcess.port(yaml.get(0));
        try (NodeProcess n = NodeProcess.start("n", work, yaml.get(0))) {
            assertOneLineError(cli("ls", server + ":/nope"), "no volume 'nope'");
            assertOneLineError(cli("cp", "missing.txt", server + ":/web/x"), "missing.txt");
            assertOneLineError(cli("cat", "not-an-address"), "is not HOST:PORT:/VOLUME");
            assertOneLineError(cli("cat", server + ":/web/../etc/passwd"), "would leave the volume");
        }
        int dead = NodeProcess.freePort();
        long t0 = System.nanoTime();
        assertOneLineError(cli("ls", "127.0.0.1:" + dead + ":/web"), "connection refused");
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "an unreachable server fails within 10 s");
        var usage = cli("cp");
        assertEquals(2, usage.exit());
    }
}
