package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped pipeline examples, run as they are (ports moved to free ones) in a node process each. */
class PipelinesIT {
    @TempDir
    Path work;

    private Path example(String name, int... ports) throws Exception {
        return exampleFile(name + "/node.yaml", name.equals("drop-folder") ? 24021 : name.equals("events") ? 24031
                : 24041, ports);
    }

    /** An example file with its ports base, base+1, ... moved to the given free ones. */
    private Path exampleFile(String file, int base, int... ports) throws Exception {
        String yaml = Files.readString(NodeProcess.HOME.resolve("examples/yaml/" + file));
        for (int i = 0; i < ports.length; i++) {
            yaml = yaml.replace("127.0.0.1:" + (base + i), "127.0.0.1:" + ports[i]).replace("port: " + (base + i)
                    + ",", "port: " + ports[i] + ",");
        }
        Path y = work.resolve(file.replace('/', '-'));
        Files.writeString(y, yaml);
        return y;
    }

    private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, what);
            Thread.sleep(100);
        }
    }

    @Test
    void dropFolderReplicatesThenArchives() throws Exception {
        Path y = example("drop-folder", NodeProcess.freePort(), NodeProcess.freePort());
        try (NodeProcess n = NodeProcess.start("drop", work, y)) {
            Files.createDirectories(work.resolve("incoming/reports"));
            Files.writeString(work.resolve("incoming/report.txt"), "quarterly figures\n");
            Files.writeString(work.resolve("incoming/reports/q3.csv"), "a,b\n1,2\n");
            await("archived", () -> Files.exists(work.resolve("archive/report.txt"))
                    && Files.exists(work.resolve("archive/reports/q3.csv")));
            for (String b : List.of("brick1", "brick2")) {
                assertEquals("quarterly figures\n", Files.readString(work.resolve("data/drop/" + b + "/report.txt")));
                assertEquals("a,b\n1,2\n", Files.readString(work.resolve("data/drop/" + b + "/reports/q3.csv")));
            }
            assertTrue(!Files.exists(work.resolve("incoming/report.txt")), "moved out of incoming/");
        }
    }

    @Test
    void eventsBecomeAnAuditLogThatSurvivesARestart() throws Exception {
        int p1 = NodeProcess.freePort();
        int p2 = NodeProcess.freePort();
        Path y = example("events", p1, p2);
        java.util.List<String> posted = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 16);
        hook.createContext("/hook", x -> {
            posted.add(x.getRequestMethod() + " " + new String(x.getRequestBody().readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8));
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        hook.start();
        Files.writeString(y, Files.readString(y).replace("127.0.0.1:8099", "127.0.0.1:" + hook.getAddress()
                .getPort()));
        String vol = "127.0.0.1:" + p1 + ":/site";
        Path log = work.resolve("audit/changes.log");
        Path page = Files.writeString(work.resolve("index.html"), "<h1>hi</h1>");
        try (NodeProcess n = NodeProcess.start("events", work, y)) {
            n.awaitLog("consuming events", Duration.ofSeconds(30));
            assertEquals(0, NodeProcess.cli(work, Duration.ofSeconds(30), "cp", page.toString(), vol + "/index.html")
                    .exit());
            assertEquals(0, NodeProcess.cli(work, Duration.ofSeconds(30), "rm", vol + "/index.html").exit());
            await("two lines", () -> lines(log).size() == 2);
            await("two webhook calls", () -> posted.size() == 2);
            assertTrue(posted.get(0).matches("POST \\{\"type\":\"create\",\"path\":\"index.html\",\"time\":\\d+}"),
                    posted.toString());
            assertTrue(posted.get(1).startsWith("POST {\"type\":\"delete\",\"path\":\"index.html\""),
                    posted.toString());
            n.terminate(Duration.ofSeconds(30));
        }
        // changes made while the node is down are in the log after it starts again, once
        NodeProcess server = NodeProcess.start("bricks-only", work, bricksOnly(y));
        assertEquals(0, NodeProcess.cli(work, Duration.ofSeconds(30), "cp", page.toString(), vol + "/again.html")
                .exit());
        server.terminate(Duration.ofSeconds(30));
        try (NodeProcess n = NodeProcess.start("events", work, y)) {
            await("three lines", () -> lines(log).size() == 3);
            Thread.sleep(1000);
            List<String> l = lines(log);
            assertEquals(3, l.size(), l.toString());
            assertTrue(l.get(0).matches("\\S+ create index.html ?"), l.get(0));
            assertTrue(l.get(1).matches("\\S+ delete index.html ?"), l.get(1));
            assertTrue(l.get(2).matches("\\S+ create again.html ?"), l.get(2));
            await("the webhook got it too, once", () -> posted.size() == 3);
            assertTrue(posted.get(2).contains("again.html"), posted.toString());
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void nightlyFullHealRepairsDriftAndFilesAReport() throws Exception {
        int p1 = NodeProcess.freePort();
        Path y = example("cron-rsync-replacement", p1, NodeProcess.freePort());
        Files.writeString(y, Files.readString(y).replace("cron: \"0 0 3 * * ?\"", "cron: \"0/2 * * * * ?\""));
        try (NodeProcess n = NodeProcess.start("www", work, y)) {
            Path page = Files.writeString(work.resolve("page.html"), "<p>v1</p>");
            assertEquals(0, NodeProcess.cli(work, Duration.ofSeconds(30), "cp", page.toString(), "127.0.0.1:" + p1
                    + ":/www/page.html").exit());
            // drift behind camelfs's back, as if someone edited one server's copy: no mark records it
            Files.writeString(work.resolve("data/www/brick2/page.html"), "<p>edited on the disk</p>");
            await("a report of a crawl that healed something", () -> {
                try (var reports = Files.list(work.resolve("reports"))) {
                    return reports.anyMatch(r -> lines(r).stream().anyMatch(l -> l.contains("FULL crawl")
                            && !l.contains("(healed 0,")));
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            assertEquals(Files.readString(work.resolve("data/www/brick1/page.html")),
                    Files.readString(work.resolve("data/www/brick2/page.html")), "the copies agree again");
        }
    }

    @Test
    void twoWebNodesMountOneVolumeAndSeeEachOthersWrites() throws Exception {
        int p1 = NodeProcess.freePort();
        int p2 = NodeProcess.freePort();
        Path w1 = exampleFile("lsyncd-replacement/web1.yaml", 24051, p1, p2);
        Path w2 = exampleFile("lsyncd-replacement/web2.yaml", 24051, p1, p2);
        try (NodeProcess web1 = NodeProcess.start("web1", work, w1);
                NodeProcess web2 = NodeProcess.start("web2", work, w2);
                Mounted a = Mounted.mount(work, "127.0.0.1:" + p1 + ":/www", work.resolve("www-on-web1"), null);
                Mounted b = Mounted.mount(work, "127.0.0.1:" + p2 + ":/www", work.resolve("www-on-web2"), null)) {
            Files.writeString(a.dir.resolve("index.html"), "<h1>deployed on web1</h1>");
            assertEquals("<h1>deployed on web1</h1>", Files.readString(b.dir.resolve("index.html")),
                    "readable on web2 when the write returned");
            Files.writeString(b.dir.resolve("upload.txt"), "written on web2");
            assertEquals("written on web2", Files.readString(a.dir.resolve("upload.txt")), "both ways");
            Files.delete(a.dir.resolve("upload.txt"));
            assertTrue(!Files.exists(b.dir.resolve("upload.txt")));
            assertEquals("<h1>deployed on web1</h1>", Files.readString(work.resolve("data/www/brick1/index.html")));
            assertEquals("<h1>deployed on web1</h1>", Files.readString(work.resolve("data/www/brick2/index.html")));
        }
    }

    @Test
    void aClusteredRouteRunsOnOneNodeAndMovesWhenItsNodeDies() throws Exception {
        Path y = Files.copy(NodeProcess.HOME.resolve("examples/yaml/once-per-cluster/node.yaml"),
                work.resolve("once.yaml"));
        String line = "nightly report made on this node";
        try (NodeProcess a = NodeProcess.start("once-a", work, y);
                NodeProcess b = NodeProcess.start("once-b", work, y)) {
            await("a leader runs the route", () -> reports(a, line) + reports(b, line) >= 3);
            Thread.sleep(3000);
            int ra = reports(a, line);
            int rb = reports(b, line);
            assertTrue((ra > 0) != (rb > 0), "exactly one node runs it: " + ra + " and " + rb);
            NodeProcess leader = ra > 0 ? a : b;
            NodeProcess other = ra > 0 ? b : a;
            leader.kill9();
            int before = reports(other, line);
            await("the other node takes over", () -> reports(other, line) >= before + 3);
        }
    }

    private static int reports(NodeProcess n, String line) {
        return n.log().split(java.util.regex.Pattern.quote(line), -1).length - 1;
    }

    private Path bricksOnly(Path y) throws Exception {
        String yaml = Files.readString(y);
        Path b = work.resolve("bricks-only.yaml");
        Files.writeString(b, yaml.substring(0, yaml.indexOf("# One line per change")));
        return b;
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
