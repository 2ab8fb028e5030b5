package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.testing.BrickInspector;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replica 3 under a writer workload through the gluster: producer while a random brick's node is killed with
 * SIGKILL every few seconds and restarted. Bounded to about a minute of load. Afterwards self-heal must leave
 * every brick identical, every acknowledged write present with its acknowledged content, and nothing deleted
 * back; heal info must show nothing left.
 */
class ChaosIT {
    /** Why operations failed: allowed (their outcome stays open), but the summary says what it was. */
    private final Map<String, Integer> failureReasons = new TreeMap<>();
    private static final long LOAD_MILLIS = Long.getLong("chaos.seconds", 60) * 1000;
    private static final long KILL_EVERY_MILLIS = 5000;
    private static final String HEAL_ROUTE = "- route:\n"
            + "    id: heal\n"
            + "    from:\n"
            + "      uri: quartz:heal/nodeNODE\n"
            + "      parameters:\n"
            + "        cron: \"0 0 3 * * ?\"\n"
            + "      steps:\n"
            + "        - to: gluster:chaos?operation=heal\n";

    @TempDir
    Path work;

    /**
     * What each path may hold after the run: one content when every operation on it was acknowledged, several
     * when an operation failed with its outcome unknown; null stands for "absent".
     */
    private final Map<String, List<byte[]>> allowed = new TreeMap<>();
    private final Map<String, Boolean> dirs = new TreeMap<>();

    private boolean certainFile(String p) {
        List<byte[]> a = allowed.get(p);
        return a != null && a.size() == 1 && a.get(0) != null;
    }

    private void outcome(String p, boolean ok, byte[] after) {
        List<byte[]> before = allowed.getOrDefault(p, java.util.Collections.singletonList(null));
        if (ok) {
            allowed.put(p, java.util.Collections.singletonList(after));
        } else {
            List<byte[]> both = new ArrayList<>(before);
            both.add(after);
            allowed.put(p, both);
        }
    }

    @Test
    void killNineUnderLoadLosesNothingAcknowledged() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "chaos", 3, "", HEAL_ROUTE);
        StringBuilder servers = new StringBuilder();
        for (Path y : yaml) {
            servers.append(servers.length() > 0 ? "," : "").append("127.0.0.1:").append(NodeProcess.port(y));
        }
        NodeProcess[] nodes = new NodeProcess[3];
        for (int i = 0; i < 3; i++) {
            nodes[i] = NodeProcess.start("node" + (i + 1), work, yaml.get(i));
        }
        Random r = new Random(20261121);
        AtomicInteger kills = new AtomicInteger();
        AtomicBoolean loading = new AtomicBoolean(true);
        int acknowledged = 0;
        int failed = 0;
        Thread killer = new Thread(() -> {
            Random kr = new Random(7);
            try {
                while (loading.get()) {
                    Thread.sleep(KILL_EVERY_MILLIS);
                    if (!loading.get()) {
                        break;
                    }
                    int i = kr.nextInt(3);
                    nodes[i].kill9();
                    kills.incrementAndGet();
                    Thread.sleep(500 + kr.nextInt(1500));
                    nodes[i] = NodeProcess.start("node" + (i + 1), work, yaml.get(i));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "chaos-killer");
        try (VolumeWriter w = new VolumeWriter("chaos", servers.toString())) {
            for (int d = 0; d < 4; d++) {
                w.send("mkdir", "d" + d, null);
                dirs.put("d" + d, true);
            }
            killer.start();
            long end = System.currentTimeMillis() + LOAD_MILLIS;
            int next = 0;
            while (System.currentTimeMillis() < end) {
                int op = r.nextInt(100);
                List<String> present = new ArrayList<>();
                allowed.forEach((p, a) -> {
                    if (certainFile(p)) {
                        present.add(p);
                    }
                });
                String any = present.isEmpty() ? null : present.get(r.nextInt(present.size()));
                boolean ok;
                if (op < 30 || any == null) {                                   // create
                    String p = "d" + r.nextInt(4) + "/f" + next++;
                    byte[] b = data(r);
                    ok = succeeded(w.send("write", p, b));
                    outcome(p, ok, b);
                } else if (op < 50) {                                            // overwrite
                    byte[] b = data(r);
                    ok = succeeded(w.send("write", any, b));
                    outcome(any, ok, b);
                } else if (op < 65) {                                            // append
                    byte[] add = data(r);
                    byte[] old = allowed.get(any).get(0);
                    byte[] b = Arrays.copyOf(old, old.length + add.length);
                    System.arraycopy(add, 0, b, old.length, add.length);
                    ok = succeeded(w.send("append", any, add));
                    if (ok) {
                        outcome(any, true, b);
                    } else {
                        allowed.put(any, new ArrayList<>(List.of(old, b)));
                    }
                } else if (op < 75) {                                            // rename
                    String to = "d" + r.nextInt(4) + "/r" + next++;
                    byte[] c = allowed.get(any).get(0);
                    ok = succeeded(w.send("rename", any, null, Map.of("CamelGlusterRenameTo", to)));
                    outcome(any, ok, null);
                    outcome(to, ok, c);
                } else if (op < 85) {                                            // delete
                    ok = succeeded(w.send("delete", any, null));
                    outcome(any, ok, null);
                } else if (op < 95) {                                            // truncate
                    byte[] old = allowed.get(any).get(0);
                    int n = r.nextInt(old.length + 1);
                    ok = succeeded(w.send("truncate", any, null, Map.of("CamelGlusterSize", (long) n)));
                    if (ok) {
                        outcome(any, true, Arrays.copyOf(old, n));
                    } else {
                        allowed.put(any, new ArrayList<>(List.of(old, Arrays.copyOf(old, n))));
                    }
                } else {                                                         // mkdir, then rmdir
                    String d = "d" + r.nextInt(4) + "/sub" + next++;
                    ok = succeeded(w.send("mkdir", d, null));
                    Exchange rm = ok ? w.send("delete", d, null) : null;
                    ok = ok && succeeded(rm);
                    dirs.put(d, ok ? false : null); // null: either
                }
                if (ok) {
                    acknowledged++;
                } else {
                    failed++;
                }
            }
            loading.set(false);
            killer.join(60_000);
            for (int i = 0; i < 3; i++) {
                if (!nodes[i].isAlive()) {
                    nodes[i] = NodeProcess.start("node" + (i + 1), work, yaml.get(i));
                }
            }
            long healStart = System.currentTimeMillis();
            awaitHealed(Duration.ofSeconds(120));
            long healMillis = System.currentTimeMillis() - healStart;

            Path brick = work.resolve("data/brick1");
            int checked = 0;
            for (Map.Entry<String, List<byte[]>> e : allowed.entrySet()) {
                Path f = brick.resolve(e.getKey());
                byte[] actual = Files.exists(f, LinkOption.NOFOLLOW_LINKS) ? BrickInspector.readNoatime(f) : null;
                boolean match = e.getValue().stream().anyMatch(a -> a == null ? actual == null
                        : actual != null && Arrays.equals(a, actual));
                assertTrue(match, e.getKey() + ": " + (actual == null ? "absent" : actual.length + " bytes")
                        + ", allowed " + describe(e.getValue()));
                checked++;
            }
            for (Map.Entry<String, Boolean> d : dirs.entrySet()) {
                if (d.getValue() != null) {
                    assertEquals(d.getValue(), Files.isDirectory(brick.resolve(d.getKey())), d.getKey());
                }
            }
            String vol = servers.toString().split(",")[0] + ":/chaos";
            NodeProcess.Result info = NodeProcess.cli(work, Duration.ofSeconds(60), "heal", vol, "info");
            assertEquals(3, info.out().split("Number of entries: 0\n").length - 1, info.out());
            NodeProcess.Result stats = NodeProcess.cli(work, Duration.ofSeconds(60), "heal", vol, "statistics");
            long healed = 0;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("No. of entries healed: (\\d+)")
                    .matcher(stats.out());
            while (m.find()) {
                healed += Long.parseLong(m.group(1));
            }
            System.out.printf("[ChaosIT] %d s of load: %d operations acknowledged, %d failed (outcome open),"
                    + " %d kill -9, %d entries healed by the daemons, healed to identical bricks %d ms after the"
                    + " load stopped; %d paths verified; failures by reason: %s%n", LOAD_MILLIS / 1000, acknowledged,
                    failed, kills.get(), healed, healMillis, checked, failureReasons);
            assertTrue(kills.get() >= LOAD_MILLIS / KILL_EVERY_MILLIS / 2, "kills: " + kills.get());
            assertTrue(acknowledged > failed * 10, acknowledged + " acknowledged, " + failed + " failed");
        } finally {
            loading.set(false);
            killer.join(60_000);
            for (NodeProcess n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
        }
    }

    private static byte[] data(Random r) {
        byte[] b = new byte[r.nextInt(20) == 0 ? (1 << 20) + r.nextInt(1 << 20) : 1 + r.nextInt(8192)];
        r.nextBytes(b);
        return b;
    }

    private static String describe(List<byte[]> a) {
        List<String> s = new ArrayList<>();
        for (byte[] b : a) {
            s.add(b == null ? "absent" : b.length + " bytes");
        }
        return s.toString();
    }

    /** Until all three bricks are identical and their heal indices empty. */
    private void awaitHealed(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        String why = "";
        while (System.nanoTime() < end) {
            try {
                Map<String, String> b1 = BrickInspector.snapshot(work.resolve("data/brick1"), true);
                Map<String, String> b2 = BrickInspector.snapshot(work.resolve("data/brick2"), true);
                Map<String, String> b3 = BrickInspector.snapshot(work.resolve("data/brick3"), true);
                int pending = 0;
                for (int b = 1; b <= 3; b++) {
                    Path brick = work.resolve("data/brick" + b);
                    pending += BrickInspector.index(brick, "pending").size() + BrickInspector.index(brick, "dirty")
                            .size() + BrickInspector.index(brick, "split-brain").size();
                }
                if (b1.equals(b2) && b1.equals(b3) && pending == 0) {
                    return;
                }
                why = pending + " index entries;" + BrickInspector.difference(b1, b2)
                        + BrickInspector.difference(b1, b3);
            } catch (java.io.IOException | RuntimeException changing) {
                why = changing.toString();
            }
            Thread.sleep(200);
        }
        Map<String, String> log = new HashMap<>();
        throw new AssertionError("not healed within " + timeout + ": " + why + log);
    }

    private boolean succeeded(Exchange x) {
        Exception e = x.getException();
        if (e != null) {
            failureReasons.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
        }
        return e == null;
    }
}
