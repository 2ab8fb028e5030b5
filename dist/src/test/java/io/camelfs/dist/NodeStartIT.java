package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to `camelfs run`: a clear one-line error, a non-zero exit, and nothing lost. */
class NodeStartIT {
    @TempDir
    Path work;

    private NodeProcess.Result run(String yaml) throws Exception {
        Path f = work.resolve("node.yaml");
        Files.writeString(f, yaml);
        return NodeProcess.cli(work, Duration.ofSeconds(60), "run", f.toString());
    }

    private static String volume(String props) {
        return "- beans:\n    - name: web\n      type: io.camelfs.volume.VolumeDefinition\n      properties:\n" + props;
    }

    private static String brick(String volume, String params) {
        return "- route:\n    from:\n      uri: brick:" + volume + "\n      parameters:\n" + params
                + "      steps:\n        - log: \"${body}\"\n";
    }

    private static void assertOneLine(NodeProcess.Result r, String... expected) {
        assertNotEquals(0, r.exit(), "must exit non-zero:\n" + r.err());
        String line = r.lastErrLine();
        assertTrue(line.startsWith("camelfs: "), "error line: " + line);
        for (String e : expected) {
            assertTrue(line.contains(e), "'" + line + "' should mention '" + e + "'\nfull output:\n" + r.err());
        }
        assertTrue(!r.err().contains("\tat "), "no stack trace:\n" + r.err());
    }

    @Test
    void malformedYamlNamesFileAndLine() throws Exception {
        NodeProcess.Result r = run("- route:\n    from:\n      uri: [brick:web\n");
        assertOneLine(r, "node.yaml:4", "YAML syntax");
        assertEquals(2, r.exit());
    }

    @Test
    void wrongOptionValueNamesFileLineAndField() throws Exception {
        int port = NodeProcess.freePort();
        NodeProcess.Result r = run(volume("        replica: 1\n        bricks: 127.0.0.1:" + port
                + "\n        options:\n          quorum: most\n") + brick("web", "        directory: data/b\n"
                        + "        port: " + port + "\n"));
        assertOneLine(r, "node.yaml:2", "option quorum", "'most'");
    }

    @Test
    void replicaAndBrickCountMustAgree() throws Exception {
        NodeProcess.Result r = run(volume("        replica: 3\n        bricks: 127.0.0.1:1,127.0.0.1:2\n"));
        assertOneLine(r, "node.yaml:2", "replica 3 needs exactly 3 bricks");
    }

    @Test
    void unknownVolumePropertyAndUndeclaredVolume() throws Exception {
        assertOneLine(run(volume("        replicas: 3\n")), "node.yaml:5", "unknown property 'replicas'");
        assertOneLine(run(brick("nope", "        directory: data/b\n        port: 24999\n")),
                "node.yaml:3", "volume 'nope' is not declared");
    }

    @Test
    void badBrickParameters() throws Exception {
        String v = volume("        replica: 1\n        bricks: 127.0.0.1:24999\n");
        assertOneLine(run(v + brick("web", "        directory: data/b\n        port: abc\n")),
                "parameter port", "'abc' is not a port number");
        assertOneLine(run(v + brick("web", "        directory: data/b\n        prot: 24999\n")),
                "unknown parameter 'prot'");
        assertOneLine(run(v + brick("web", "        directory: data/b\n        port: 24999\n        createDirectory:"
                + " true\n        cpuLatency: fast\n")), "parameter cpuLatency: 'fast' is neither 'off' nor a"
                        + " number of microseconds");
    }

    @Test
    void missingBrickDirectory() throws Exception {
        int port = NodeProcess.freePort();
        NodeProcess.Result r = run(volume("        replica: 1\n        bricks: 127.0.0.1:" + port + "\n")
                + brick("web", "        directory: data/missing\n        port: " + port + "\n"));
        assertOneLine(r, "brick directory data/missing does not exist");
        assertTrue(!Files.exists(work.resolve("data/missing")));
    }

    @Test
    void portAlreadyInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            NodeProcess.Result r = run(volume("        replica: 1\n        bricks: 127.0.0.1:" + port + "\n")
                    + brick("web", "        directory: data/b\n        port: " + port + "\n"
                            + "        createDirectory: true\n"));
            assertOneLine(r, "port " + port, "already in use");
        }
    }

    @Test
    void directoryOfAnotherVolumeIsRefusedAndKept() throws Exception {
        List<Path> other = NodeProcess.writeNodes(work, "other", 1, "");
        try (NodeProcess n = NodeProcess.start("other", work, other.get(0))) {
            var cp = NodeProcess.cli(work, Duration.ofSeconds(30), "cp", other.get(0).toString(),
                    "127.0.0.1:" + NodeProcess.port(other.get(0)) + ":/other/keep.yaml");
            assertEquals(0, cp.exit(), cp.err());
            n.terminate(Duration.ofSeconds(20));
        }
        int port = NodeProcess.freePort();
        NodeProcess.Result r = run(volume("        replica: 1\n        bricks: 127.0.0.1:" + port + "\n")
                + brick("web", "        directory: data/brick1\n        port: " + port + "\n"));
        assertOneLine(r, "already belongs to volume 'other'");
        assertEquals(Files.readString(other.get(0)), Files.readString(work.resolve("data/brick1/keep.yaml")));
    }

    @Test
    void sigtermStopsCleanlyAndTheBrickRestartsAtOnce() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 1, "");
        int port = NodeProcess.port(yaml.get(0));
        Files.writeString(work.resolve("f.txt"), "kept across restarts");
        try (NodeProcess n = NodeProcess.start("node", work, yaml.get(0))) {
            var cp = NodeProcess.cli(work, Duration.ofSeconds(30), "cp", "f.txt", "127.0.0.1:" + port + ":/web/f.txt");
            assertEquals(0, cp.exit(), cp.err());
            long t0 = System.nanoTime();
            int code = n.terminate(Duration.ofSeconds(20));
            assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "stopped within 15 s");
            assertTrue(n.log().contains("camelfs node stopped"), n.log());
            assertTrue(code == 0 || code == 143, "exit code after SIGTERM: " + code);
        }
        try (NodeProcess again = NodeProcess.start("again", work, yaml.get(0))) {
            var cat = NodeProcess.cli(work, Duration.ofSeconds(30), "cat", "127.0.0.1:" + port + ":/web/f.txt");
            assertEquals("kept across restarts", cat.out());
        }
    }

    @Test
    void quickstartIsEmbedded() throws IOException, InterruptedException {
        // nothing else may hold the quickstart's ports for this test
        try (NodeProcess n = NodeProcess.launch("quickstart", work)) {
            n.awaitLog("replicated hello/hello-1.txt to both bricks", Duration.ofSeconds(60));
            assertEquals(Files.readString(work.resolve("data/quick/brick1/hello/hello-1.txt")),
                    Files.readString(work.resolve("data/quick/brick2/hello/hello-1.txt")));
            assertEquals(0, n.terminate(Duration.ofSeconds(20)) % 143);
        }
    }
}
