package io.camelfs.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.afr.Replicate;
import io.camelfs.testing.BrickInspector;
import io.camelfs.testing.Bytes;
import io.camelfs.testing.LocalVolume;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heals racing clients and other healers, made deterministic with the heal's test hooks: what a client did while
 * a heal was under way must survive it, whichever keys the two of them ordered on.
 */
class HealRaceTest {
    @TempDir
    Path tmp;

    @AfterEach
    void unhook() {
        InodeHeal.beforeRepair = p -> { };
        NameHeal.beforeBatch = d -> { };
        EntryHeal.beforeLock = d -> { };
    }

    private static void awaitUp(int n, Replicate... clients) throws InterruptedException {
        for (Replicate c : clients) {
            LocalVolume.awaitUp(c, n, 10_000);
        }
    }

    private static void assertIdentical(LocalVolume v, int a, int b) throws Exception {
        Map<String, String> x = BrickInspector.snapshot(v.dirs.get(a), true);
        Map<String, String> y = BrickInspector.snapshot(v.dirs.get(b), true);
        assertTrue(x.equals(y), "bricks " + a + " and " + b + " differ:" + BrickInspector.difference(x, y));
    }

    private static String text(Path p) {
        return new String(BrickInspector.readNoatime(p), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Data heal holds the inode's key, an unlink only the name's: the unlink goes through while the heal works.
     * The heal's rewrite of the sink's copy must not bring the name back there (it did: a small file's data heal
     * was an install, which creates what is missing).
     */
    @Test
    void aFileDeletedWhileItsDataHealsStaysDeleted() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 3); Replicate c = v.client(); Replicate hc = v.client();
                Healer h = new Healer(hc.replicas(), "test")) {
            c.put("f", 0644, Bytes.of("first"));
            v.stop(1);
            awaitUp(2, c, hc);
            c.put("f", 0644, Bytes.of("second"));        // brick 1 misses it: blamed for f's data
            v.start(1);
            awaitUp(3, c, hc);
            InodeHeal.beforeRepair = p -> {
                if (p.equals("f")) {
                    c.unlink("f");                          // acknowledged by all three bricks
                }
            };
            h.index(HealProgress.NONE);
            InodeHeal.beforeRepair = p -> { };
            h.index(HealProgress.NONE);
            for (int b = 0; b < 3; b++) {
                assertFalse(LocalVolume.exists(v.file(b, "f")), "deleted f is back on brick " + b);
            }
            assertIdentical(v, 0, 1);
            assertIdentical(v, 0, 2);
        }
    }

    /**
     * A healer looks at a directory whose names a sink lacks. Meanwhile another healer installs one of them, and
     * a client writes it while the directory's source is away (so the sink's copy is the newer one, and the source
     * is blamed for its data). The first healer must not put the source's older copy over it: a batch install from
     * a stale listing did, and lost an acknowledged write. (Directory heals now take turns, and see the names as
     * they are once it is theirs; an install also leaves alone a name the sink has by then.)
     */
    @Test
    void aBatchInstallLeavesANameTheSinkGotMeanwhileAsItIs() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 3); Replicate c = v.client(); Replicate hc = v.client();
                Replicate hc2 = v.client(); Healer h = new Healer(hc.replicas(), "slow");
                Healer h2 = new Healer(hc2.replicas(), "quick")) {
            c.mkdir("d", 0755);
            v.stop(1);
            awaitUp(2, c, hc, hc2);
            c.put("d/f", 0644, Bytes.of("v1"));          // d's entries on bricks 0 and 2 blame brick 1
            v.start(1);
            awaitUp(3, c, hc, hc2);
            EntryHeal.beforeLock = dir -> {
                if (!dir.equals("d")) {
                    return;
                }
                EntryHeal.beforeLock = x -> { };
                try {
                    h2.path("d");                           // the other healer installs d/f on brick 1 first
                    assertTrue(LocalVolume.exists(v.file(1, "d/f")), "the quick healer installed d/f");
                    v.stop(0);
                    awaitUp(2, c, hc, hc2);
                    c.put("d/f", 0644, Bytes.of("v2, acknowledged"));   // brick 0 misses it
                    v.start(0);
                    awaitUp(3, c, hc, hc2);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };
            h.index(HealProgress.NONE);                     // d from brick 0, as it looked before
            EntryHeal.beforeLock = d -> { };
            for (int i = 0; i < 3; i++) {
                h.index(HealProgress.NONE);
            }
            for (int b = 0; b < 3; b++) {
                assertEquals("v2, acknowledged", text(v.file(b, "d/f")), "d/f on brick " + b);
            }
            assertIdentical(v, 0, 1);
            assertIdentical(v, 0, 2);
        }
    }
    /**
     * Two healers of one directory each settle the marks they observed. When both observed the same marks, the
     * second subtraction also took off marks that client operations added meanwhile: here the unlink of d/x while
     * brick 0 was away lost its blame, so d/x stayed on brick 0 unmarked (and a later merge spread it back).
     * Entry heals of one directory now take turns.
     */
    @Test
    void marksAddedDuringADirectoryHealOutliveTheHealsOfOtherHealers() throws Exception {
        Map<String, String> options = new java.util.HashMap<>();
        options.put("brick-timeout", "1s");
        try (LocalVolume v = new LocalVolume(tmp, "test", 3, options); Replicate c = v.client();
                Replicate hc = v.client(); Replicate hc2 = v.client(); Healer h = new Healer(hc.replicas(), "one");
                Healer h2 = new Healer(hc2.replicas(), "two")) {
            c.mkdir("d", 0755);
            c.put("d/x", 0644, Bytes.of("x"));
            v.stop(0);
            awaitUp(2, c, hc, hc2);
            c.put("d/n1", 0644, Bytes.of("n1"));          // d on bricks 1 and 2 blames brick 0
            v.start(0);
            awaitUp(3, c, hc, hc2);
            NameHeal.beforeBatch = dir -> {
                NameHeal.beforeBatch = x -> { };
                try {
                    h2.path("d");                           // the other healer heals d meanwhile, if it may
                    v.stop(0);
                    awaitUp(2, c, hc, hc2);
                    c.unlink("d/x");                        // acknowledged; brick 0 blamed for it
                    v.start(0);
                    awaitUp(3, c, hc, hc2);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };
            h.index(HealProgress.NONE);
            NameHeal.beforeBatch = d -> { };
            for (int i = 0; i < 2; i++) {
                h.index(HealProgress.NONE);
            }
            h.full(HealProgress.NONE);                      // merges what no mark covers
            for (int b = 0; b < 3; b++) {
                assertFalse(LocalVolume.exists(v.file(b, "d/x")), "deleted d/x is on brick " + b);
                assertEquals("n1", text(v.file(b, "d/n1")), "d/n1 on brick " + b);
            }
            assertIdentical(v, 0, 1);
            assertIdentical(v, 0, 2);
        }
    }
}
