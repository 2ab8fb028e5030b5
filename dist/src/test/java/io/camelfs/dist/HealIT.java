package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.testing.BrickInspector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self-heal between node processes: the daemon, a Quartz heal route, and the heal CLI. */
class HealIT {
    private static final Duration CLI = Duration.ofSeconds(60);

    @TempDir
    Path work;

    /** A heal route on every node: the self-heal daemon runs, the schedule itself is daily. */
    private static final String HEAL_ROUTE = "- route:\n"
            + "    id: heal\n"
            + "    from:\n"
            + "      uri: quartz:heal/nodeNODE\n"
            + "      parameters:\n"
            + "        cron: \"%s\"\n"
            + "      steps:\n"
            + "        - to: gluster:web?operation=heal%s\n"
            + "        - log: \"heal route: ${body}\"\n";

    private Map<String, String> snapshot(int brick) throws Exception {
        return BrickInspector.snapshot(work.resolve("data/brick" + brick), true);
    }

    private void awaitIdentical(Duration timeout, int... bricks) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        for (;;) {
            Map<String, String> first;
            List<Map<String, String>> others = new java.util.ArrayList<>();
            try {
                first = snapshot(bricks[0]);
                for (int i = 1; i < bricks.length; i++) {
                    others.add(snapshot(bricks[i]));
                }
            } catch (java.io.IOException | RuntimeException changing) {
                if (System.nanoTime() > end) {
                    throw changing;
                }
                Thread.sleep(50); // a heal is changing the tree under the walk: look again
                continue;
            }
            boolean same = true;
            String diff = "";
            for (int i = 1; i < bricks.length; i++) {
                Map<String, String> other = others.get(i - 1); // one walk each: a heal may change the tree
                if (!first.equals(other)) {
                    same = false;
                    diff = "brick" + bricks[0] + " vs brick" + bricks[i] + ":" + BrickInspector.difference(first, other);
                }
            }
            boolean indexEmpty = true;
            for (int b : bricks) {
                Path brick = work.resolve("data/brick" + b);
                indexEmpty &= BrickInspector.index(brick, "pending").isEmpty()
                        && BrickInspector.index(brick, "dirty").isEmpty();
            }
            if (same && indexEmpty) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("bricks not healed within " + timeout + " (index empty: " + indexEmpty + ") "
                        + diff);
            }
            Thread.sleep(100);
        }
    }

    private static void write(VolumeWriter w, String path, String text) {
        w.write(path, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void ok(Exchange x) {
        if (x.getException() != null) {
            throw new AssertionError(x.getException());
        }
    }

    @Test
    void theSelfHealDaemonHealsABrickAsSoonAsItComesBack() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 2, "", String.format(HEAL_ROUTE, "0 0 3 * * ?", ""));
        int port = NodeProcess.port(yaml.get(0));
        String vol = "127.0.0.1:" + port + ":/web";
        try (NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
                VolumeWriter w = new VolumeWriter("web", port)) {
            NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1));
            for (int i = 0; i < 50; i++) {
                write(w, "www/old/f" + i + ".html", "old " + i);
            }
            n2.kill9();
            for (int i = 0; i < 200; i++) {
                write(w, "www/new/p" + i + ".html", "page " + i);
            }
            for (int i = 0; i < 10; i++) {
                write(w, "www/old/f" + i + ".html", "changed " + i);
                ok(w.send("delete", "www/old/f" + (40 + i) + ".html", null));
            }
            NodeProcess.Result info = NodeProcess.cli(work, CLI, "heal", vol, "info");
            assertEquals(0, info.exit(), info.err());
            assertTrue(info.out().contains("Brick 127.0.0.1:" + port + "\n"), info.out());
            assertTrue(info.out().contains("/www/new/p7.html\n"), info.out());
            assertTrue(info.out().contains("Status: Transport endpoint is not connected"), info.out());
            assertTrue(info.out().contains("Number of entries: -"), info.out());
            NodeProcess.Result summary = NodeProcess.cli(work, CLI, "heal", vol, "info", "summary");
            assertTrue(summary.out().contains("Number of entries in split-brain: 0"), summary.out());

            long start = System.nanoTime();
            try (NodeProcess again = NodeProcess.start("node2", work, yaml.get(1))) {
                awaitIdentical(Duration.ofSeconds(30), 1, 2);
                long ms = (System.nanoTime() - start) / 1_000_000;
                System.out.println("[HealIT] brick back (JVM start included) to identical bricks: " + ms + " ms");
                NodeProcess.Result after = NodeProcess.cli(work, CLI, "heal", vol, "info");
                assertEquals(2, after.out().split("Number of entries: 0").length - 1, after.out());
                NodeProcess.Result stats = NodeProcess.cli(work, CLI, "heal", vol, "statistics");
                assertTrue(stats.out().contains("Type of crawl: INDEX"), stats.out());
                assertTrue(stats.out().matches("(?s).*No. of entries healed: [1-9].*"), stats.out());
                assertTrue(Files.notExists(work.resolve("data/brick2/www/old/f45.html")), "deleted stays deleted");
            }
        }
    }

    @Test
    void aQuartzRouteSweepsTheIndexOnItsSchedule() throws Exception {
        // no daemon: only the schedule (every 2 s) heals
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 2, "",
                String.format(HEAL_ROUTE, "0/2 * * * * ?", "&selfHealDaemon=false"));
        int port = NodeProcess.port(yaml.get(0));
        try (NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
                VolumeWriter w = new VolumeWriter("web", port)) {
            NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1));
            n2.kill9();
            write(w, "scheduled.txt", "healed by the schedule");
            try (NodeProcess again = NodeProcess.start("node2", work, yaml.get(1))) {
                awaitIdentical(Duration.ofSeconds(20), 1, 2);
                n1.awaitLog("heal route: INDEX crawl", Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void theCliHealsFullyAndResolvesSplitBrainAndRefusesBadInput() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 2, "          quorum: none\n");
        int port = NodeProcess.port(yaml.get(0));
        int port2 = NodeProcess.port(yaml.get(1));
        String vol = "127.0.0.1:" + port + ":/web";
        NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
        NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1));
        try (VolumeWriter w = new VolumeWriter("web", port)) {
            write(w, "f.txt", "base");
            write(w, "site/index.html", "<h1>one</h1>");
            n2.kill9();
            write(w, "f.txt", "written while brick 2 was down");
            n2 = NodeProcess.start("node2", work, yaml.get(1));
            n1.kill9();
            Thread.sleep(10);
            try (VolumeWriter w2 = new VolumeWriter("web", port2)) {
                write(w2, "f.txt", "written later while brick 1 was down");
            }
            n1 = NodeProcess.start("node1", work, yaml.get(0));

            NodeProcess.Result heal = NodeProcess.cli(work, CLI, "heal", vol);
            assertEquals(0, heal.exit(), heal.err());
            assertTrue(heal.out().contains("1 in split-brain"), heal.out());
            NodeProcess.Result info = NodeProcess.cli(work, CLI, "heal", vol, "info");
            assertTrue(info.out().contains("/f.txt - Is in split-brain"), info.out());
            NodeProcess.Result cat = NodeProcess.cli(work, CLI, "cat", vol + "/f.txt");
            assertEquals(1, cat.exit());
            assertTrue(cat.lastErrLine().contains("split-brain"), cat.err());

            // bad input: one line, non-zero, nothing changed
            NodeProcess.Result r = NodeProcess.cli(work, CLI, "heal", "127.0.0.1:" + port + ":/nosuch", "info");
            assertEquals(1, r.exit());
            assertTrue(r.lastErrLine().startsWith("camelfs: ") && r.lastErrLine().contains("nosuch"), r.err());
            r = NodeProcess.cli(work, CLI, "heal", vol, "split-brain", "bigger-file", "/nope.txt");
            assertEquals(1, r.exit());
            assertTrue(r.lastErrLine().contains("nope.txt"), r.err());
            r = NodeProcess.cli(work, CLI, "heal", vol, "split-brain", "source-brick", "127.0.0.1:1", "/f.txt");
            assertEquals(1, r.exit());
            assertTrue(r.lastErrLine().contains("not a brick of volume web"), r.err());
            r = NodeProcess.cli(work, CLI, "heal", vol, "split-brain", "latest-mtime", "/site/index.html");
            assertEquals(1, r.exit());
            assertTrue(r.lastErrLine().contains("not in split-brain"), r.err());
            r = NodeProcess.cli(work, CLI, "heal", vol, "bogus");
            assertEquals(2, r.exit());
            assertTrue(r.err().contains("unknown heal action 'bogus'"), r.err());
            assertTrue(NodeProcess.cli(work, CLI, "heal", vol, "info").out().contains("/f.txt - Is in split-brain"));

            r = NodeProcess.cli(work, CLI, "heal", vol, "split-brain", "latest-mtime", "/f.txt");
            assertEquals(0, r.exit(), r.err());
            assertEquals("written later while brick 1 was down", NodeProcess.cli(work, CLI, "cat", vol + "/f.txt")
                    .out());

            // a change made on one brick's disk, without camelfs: only a full crawl can see it
            Files.writeString(work.resolve("data/brick2/site/index.html"), "<h1>edited on brick 2</h1>");
            NodeProcess.Result index = NodeProcess.cli(work, CLI, "heal", vol);
            assertTrue(index.out().contains(" 0 healed"), index.out());
            NodeProcess.Result full = NodeProcess.cli(work, CLI, "heal", vol, "full");
            assertEquals(0, full.exit(), full.err());
            assertTrue(full.out().contains("full heal of"), full.out());
            assertTrue(!full.out().contains(" 0 healed"), full.out());
            awaitIdentical(Duration.ofSeconds(5), 1, 2);
            assertNotNull(BrickInspector.gfid(work.resolve("data/brick1/site/index.html")));
        } finally {
            n1.close();
            n2.close();
        }
    }
}
