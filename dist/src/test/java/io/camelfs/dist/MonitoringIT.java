package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes of a replica-3 volume, each with the monitoring bean: a real Prometheus server scrapes them and is
 * queried back, promtool checks a real scrape, Jolokia is read and executed over HTTP, and check_camelfs sees a
 * brick killed with SIGKILL.
 */
class MonitoringIT {
    private static final int WRITES = 25;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path work;

    private static String monitoring(int metrics, int jolokia, String auth) {
        return NodeProcess.monitoringBean("        metricsPort: " + metrics + "\n"
                + "        jolokiaPort: " + jolokia + "\n"
                + auth);
    }

    /** node1 writes WRITES files through the gluster: producer once a file appears in go/, then says so. */
    private static final String WRITER = "- route:\n"
            + "    id: writer\n"
            + "    from:\n"
            + "      uri: file:go\n"
            + "      parameters:\n"
            + "        delete: true\n"
            + "        delay: 200\n"
            + "      steps:\n"
            + "        - loop:\n"
            + "            constant: \"" + WRITES + "\"\n"
            + "            steps:\n"
            + "              - setHeader:\n"
            + "                  name: CamelFileName\n"
            + "                  simple: \"f${exchangeProperty.CamelLoopIndex}\"\n"
            + "              - setBody:\n"
            + "                  simple: \"file ${exchangeProperty.CamelLoopIndex}\"\n"
            + "              - to: gluster:web?operation=write\n"
            + "        - log: \"wrote all files\"\n";

    @Test
    void prometheusJolokiaAndTheCheckReportWhatHappens() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 3, "");
        int[] metrics = new int[3];
        int[] jolokia = new int[3];
        for (int i = 0; i < 3; i++) {
            metrics[i] = NodeProcess.freePort();
            jolokia[i] = NodeProcess.freePort();
            String auth = i == 1 ? "        jolokiaUser: ops\n        jolokiaPassword: s3cret\n" : "";
            Files.writeString(yaml.get(i), Files.readString(yaml.get(i)) + monitoring(metrics[i], jolokia[i], auth)
                    + (i == 0 ? WRITER : ""));
        }
        int brick3 = NodeProcess.port(yaml.get(2));
        List<NodeProcess> nodes = new ArrayList<>();
        Process prometheus = null;
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(NodeProcess.start("node" + (i + 1), work, yaml.get(i)));
            }
            // node1's client connected when it started, before the other bricks: wait until it sees them all
            long connected = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (MetricsText.scrape(metrics[0]).values("camelfs_volume_brick_up").stream()
                    .mapToDouble(Double::doubleValue).sum() < 3) {
                assertTrue(System.nanoTime() < connected, "node1 does not see all three bricks up");
                Thread.sleep(100);
            }
            Files.createDirectories(work.resolve("go"));
            Files.writeString(work.resolve("go/now"), "go");
            nodes.get(0).awaitLog("wrote all files", Duration.ofSeconds(60));

            // values: the volume counted WRITES puts on node1, each brick WRITES creates
            MetricsText m1 = MetricsText.scrape(metrics[0]);
            assertEquals(WRITES, m1.value("camelfs_volume_operation_duration_seconds_count", "volume", "web", "op",
                    "put"));
            assertEquals(0, m1.value("camelfs_volume_operation_errors_total", "volume", "web", "op", "put"));
            assertEquals(WRITES, m1.value("camelfs_volume_operation_duration_seconds_bucket", "op", "put", "le",
                    "+Inf"));
            assertEquals(3, m1.value("camelfs_volume_bricks", "volume", "web"));
            assertEquals(1, m1.value("camelfs_volume_quorum_met", "volume", "web"));
            assertEquals(3, m1.values("camelfs_volume_brick_up").stream().mapToDouble(Double::doubleValue).sum());
            long expectedBytes = 0;
            for (int n = 0; n < WRITES; n++) {
                expectedBytes += ("file " + n).length();
            }
            assertEquals(expectedBytes, m1.value("camelfs_volume_written_bytes_total", "volume", "web"));
            for (int i = 0; i < 3; i++) {
                MetricsText m = MetricsText.scrape(metrics[i]);
                assertEquals(WRITES, m.value("camelfs_brick_operation_duration_seconds_count", "op", "create"),
                        "creates served by brick " + (i + 1));
                assertEquals(expectedBytes, m.value("camelfs_brick_written_bytes_total"));
                assertEquals(0, m.value("camelfs_brick_split_brain_entries"));
                // the last writes stay marked (outcome not yet confirmed) until the client settles them
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (MetricsText.scrape(metrics[i]).value("camelfs_brick_heal_pending_entries") != 0) {
                    assertTrue(System.nanoTime() < end, "heal pending entries stay on brick " + (i + 1) + ":\n"
                            + MetricsText.scrape(metrics[i]).text());
                    Thread.sleep(200);
                }
                assertTrue(m.value("camelfs_brick_connected_clients") >= 1);
                assertTrue(m.text().contains("jvm_memory_used_bytes"), "JVM metrics are served too");
                wellFormed(m);
            }

            // a real Prometheus scrapes all three and answers a query with the sum
            int promPort = NodeProcess.freePort();
            Path config = work.resolve("prometheus.yml");
            Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    + "scrape_configs:\n  - job_name: camelfs\n    static_configs:\n      - targets: ['127.0.0.1:"
                    + metrics[0] + "', '127.0.0.1:" + metrics[1] + "', '127.0.0.1:" + metrics[2] + "']\n");
            prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + work
                    .resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort).redirectErrorStream(true)
                    .redirectOutput(work.resolve("prometheus.log").toFile()).start();
            String sum = query(promPort, "sum(camelfs_brick_operation_duration_seconds_count{op=\"create\","
                    + "job=\"camelfs\"})", Duration.ofSeconds(60), v -> v == 3 * WRITES);
            assertEquals("75", sum);
            assertEquals("3", query(promPort, "count(up{job=\"camelfs\"} == 1)", Duration.ofSeconds(30),
                    v -> v == 3));

            // Jolokia: read, exec a heal, a forbidden exec, Camel's MBeans, basic auth on node2
            String ops = get(jolokia[0], "/jolokia/read/io.camelfs:type=Volume,name=web/OperationCounts", null);
            assertTrue(ops.contains("\"put\":" + WRITES) && ops.contains("\"status\":200"), ops);
            String heal = get(jolokia[0], "/jolokia/exec/io.camelfs:type=Volume,name=web/heal", null);
            assertTrue(heal.contains("\"status\":200") && heal.contains("INDEX crawl"), heal);
            String gc = get(jolokia[0], "/jolokia/exec/java.lang:type=Memory/gc", null);
            assertTrue(gc.contains("\"status\":403") && gc.contains("forbidden"), gc);
            String routes = get(jolokia[0], "/jolokia/search/org.apache.camel:type=routes,*", null);
            assertTrue(routes.contains("writer") && routes.contains("brick-1"), routes);
            String brick = get(jolokia[0], "/jolokia/read/io.camelfs:type=Brick,volume=web,host=127.0.0.1,port="
                    + NodeProcess.port(yaml.get(0)) + "/Operations", null);
            assertTrue(brick.contains("\"status\":200"), brick);
            HttpResponse<String> noAuth = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + jolokia[1] + "/jolokia/version")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, noAuth.statusCode());
            assertTrue(get(jolokia[1], "/jolokia/version", "ops:s3cret").contains("\"agent\":\"2.6.0\""));

            // the check: OK with all up; kill -9 of node3 -> brick_up 0 on the others, check WARNING
            String target = "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web";
            NodeProcess.Result ok = NodeProcess.cli(work, Duration.ofSeconds(30), "check", "volume", target);
            assertEquals(0, ok.exit(), ok.out() + ok.err());
            assertTrue(ok.out().startsWith("CAMELFS VOLUME OK - web: 3/3 bricks up, quorum met"), ok.out());

            nodes.get(2).kill9();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String b3 = "127.0.0.1:" + brick3;
            while (MetricsText.scrape(metrics[0]).value("camelfs_volume_brick_up", "brick", b3) != 0) {
                assertTrue(System.nanoTime() < end, "brick_up of the killed brick still 1 after 20 s");
                Thread.sleep(200);
            }
            assertEquals(0, MetricsText.scrape(metrics[1]).value("camelfs_volume_brick_up", "brick", b3));
            NodeProcess.Result warn = NodeProcess.cli(work, Duration.ofSeconds(30), "check", "volume", target);
            assertEquals(1, warn.exit(), warn.out() + warn.err());
            assertTrue(warn.out().startsWith("CAMELFS VOLUME WARNING - web: 2/3 bricks up, quorum met")
                    && warn.out().contains("down: " + b3) && warn.out().contains("'bricks_up'=2;3:;1:;0;3"),
                    warn.out());

            // twenty checks at once, each its own JVM: every one answers, and answers the same
            List<Process> many = new ArrayList<>();
            List<Path> outs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Path out = work.resolve("check" + i + ".out");
                outs.add(out);
                many.add(new ProcessBuilder(NodeProcess.java("check", "volume", "-t", "60", target))
                        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start());
            }
            for (int i = 0; i < 20; i++) {
                assertTrue(many.get(i).waitFor(90, TimeUnit.SECONDS), "check " + i + " did not finish");
                String out = Files.readString(outs.get(i));
                assertEquals(1, many.get(i).exitValue(), out);
                assertTrue(out.startsWith("CAMELFS VOLUME WARNING - web: 2/3 bricks up"), out);
            }
        } finally {
            if (prometheus != null) {
                prometheus.destroyForcibly();
                prometheus.waitFor(10, TimeUnit.SECONDS);
            }
            for (NodeProcess n : nodes) {
                n.close();
            }
        }
    }

    /** promtool accepts it, no series appears twice, every histogram series ends with +Inf equal to its count. */
    private void wellFormed(MetricsText m) throws IOException, InterruptedException {
        Path scrape = Files.createTempFile(work, "scrape", ".txt");
        Files.writeString(scrape, m.text());
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(scrape.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics: " + out);
        Set<String> series = new HashSet<>();
        for (String line : m.text().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                String key = line.substring(0, line.lastIndexOf(' '));
                assertTrue(series.add(key), "series twice: " + key);
            }
        }
        for (String line : m.text().split("\n")) {
            if (line.startsWith("camelfs_") && line.contains("_count{")) {
                String name = line.substring(0, line.indexOf("_count{"));
                String labels = line.substring(line.indexOf('{') + 1, line.indexOf('}'));
                String inf = name + "_bucket{" + labels + ",le=\"+Inf\"} " + line.substring(line.lastIndexOf(' ')
                        + 1);
                assertTrue(series.contains(inf.substring(0, inf.lastIndexOf(' '))) && m.text().contains(inf),
                        "no +Inf bucket equal to the count for " + line);
            }
        }
    }

    private static String get(int port, String path, String userPassword) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60));
        if (userPassword != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userPassword.getBytes(
                    StandardCharsets.UTF_8)));
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Asks Prometheus's HTTP API until the single result satisfies the predicate; returns it as text. */
    private static String query(int port, String promql, Duration timeout, java.util.function.DoublePredicate ok)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            try {
                last = get(port, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8), null);
                java.util.regex.Matcher v = java.util.regex.Pattern.compile("\"value\":\\[[^,]+,\"([^\"]+)\"\\]")
                        .matcher(last);
                if (v.find() && ok.test(Double.parseDouble(v.group(1)))) {
                    return v.group(1);
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus never answered " + promql + " as expected; last: " + last);
    }

    @Test
    void aTakenMetricsOrJolokiaPortStopsTheNodeWithAClearLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            for (String which : List.of("metrics", "jolokia")) {
                Path dir = Files.createDirectories(work.resolve(which));
                Path y = NodeProcess.writeNodes(dir, "web", 1, "").get(0);
                int other = NodeProcess.freePort();
                Files.writeString(y, Files.readString(y) + monitoring(which.equals("metrics") ? port : other,
                        which.equals("jolokia") ? port : other, ""));
                NodeProcess.Result r = NodeProcess.cli(dir, Duration.ofSeconds(60), "run", y.toString());
                assertEquals(1, r.exit(), r.out() + r.err());
                assertEquals("camelfs: " + which + " port " + port + " on 127.0.0.1 is already in use",
                        r.lastErrLine());
            }
        }
    }
}
