package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped example node files run as documented: three nodes of volume web on 24011-24013. */
class ExamplesIT {
    @TempDir
    Path work;

    @Test
    void replicaThreeExampleNodes() throws Exception {
        Path examples = NodeProcess.HOME.resolve("examples/yaml/replica3");
        try (NodeProcess n1 = NodeProcess.start("node1", work, examples.resolve("node1.yaml"));
                NodeProcess n2 = NodeProcess.start("node2", work, examples.resolve("node2.yaml"));
                NodeProcess n3 = NodeProcess.start("node3", work, examples.resolve("node3.yaml"))) {
            var status = NodeProcess.cli(work, Duration.ofSeconds(30), "volume", "status", "127.0.0.1:24011:/web");
            assertEquals(0, status.exit(), status.out() + status.err());
            for (int p : new int[] {24011, 24012, 24013}) {
                assertTrue(status.out().contains("127.0.0.1:" + p), status.out());
            }
            Files.writeString(work.resolve("page.html"), "<p>on every node</p>");
            assertEquals(0, NodeProcess.cli(work, Duration.ofSeconds(30), "cp", "page.html",
                    "127.0.0.1:24012:/web/page.html").exit());
            for (int b = 1; b <= 3; b++) {
                assertEquals("<p>on every node</p>", Files.readString(work.resolve("data/web/brick" + b
                        + "/page.html")));
            }
            assertEquals("<p>on every node</p>", NodeProcess.cli(work, Duration.ofSeconds(30), "cat",
                    "127.0.0.1:24013:/web/page.html").out());
        }
    }
}
