package io.camelfs.afr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.testing.LocalVolume;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client answers lookups of absent names in a directory it made without asking the bricks, and another client's
 * change to that directory is seen by the first as soon as the change returns: the listing lease is recalled first.
 */
class ListingsTest {
    @TempDir
    Path tmp;

    private static long lookups(LocalVolume v) {
        return v.server(0).operations().count("lookup") + v.server(1).operations().count("lookup");
    }

    private static void assertAbsent(Replicate c, String path) {
        FopException e = assertThrows(FopException.class, () -> c.lookup(path));
        assertEquals(Errno.ENOENT, e.errno(), e.getMessage());
    }

    @Test
    void absentNamesInADirectoryItMadeCostNoRoundTrip() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate a = v.client()) {
            a.mkdir("d", 0755);
            a.put("d/there", 0644, ByteBuffer.wrap(new byte[] {1}));
            long before = lookups(v);
            for (int i = 0; i < 50; i++) {
                assertAbsent(a, "d/f" + i);
                a.put("d/f" + i, 0644, ByteBuffer.wrap(new byte[] {2}));
            }
            assertEquals(before, lookups(v), "no lookup reached a brick");
            assertEquals(1, a.lookup("d/there").size(), "a name it has is looked up as ever");
            assertEquals(before + 2, lookups(v));
            a.unlink("d/f7");
            assertAbsent(a, "d/f7");
            assertEquals(before + 2, lookups(v), "its own unlink keeps the listing");
        }
    }

    @Test
    void aDirectoryBeingFilledKeepsItsListingWhileThousandsOfNewDirectoriesAreMade() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate a = v.client()) {
            a.mkdir("d", 0755);
            // each new directory's listing is known too: 4,200 of them are more than a client keeps (4,096)
            for (int i = 0; i < 4200; i++) {
                a.mkdir("d/s" + i, 0755);
            }
            long before = lookups(v);
            for (int i = 0; i < 20; i++) {
                assertAbsent(a, "d/f" + i);
            }
            assertAbsent(a, "d/s4199/f");
            assertEquals(before, lookups(v), "the listings in use were kept: no lookup reached a brick");
        }
    }

    @Test
    void anotherClientsCreateIsSeenAsSoonAsItReturns() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate a = v.client(); Replicate b = v.client()) {
            a.mkdir("d", 0755);
            for (int round = 0; round < 5; round++) {
                String name = "d/from-b-" + round;
                assertAbsent(a, name);
                b.put(name, 0644, ByteBuffer.wrap(new byte[] {(byte) round, 9}));
                assertEquals(2, a.lookup(name).size(), "round " + round + ": a sees b's file at once");
                a.mkdir("d/sub" + round, 0755); // a knows a fresh directory again; b changes it next round
                b.put("d/sub" + round + "/x", 0644, ByteBuffer.wrap(new byte[] {1}));
                assertEquals(1, a.lookup("d/sub" + round + "/x").size());
            }
            assertTrue(b.stats().contentions() > 0, "b had to clear a's listing lease: " + b.stats());
        }
    }

    @Test
    void anotherClientsRemovalAndRenameAreSeen() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate a = v.client(); Replicate b = v.client()) {
            a.mkdir("d", 0755);
            a.put("d/f", 0644, ByteBuffer.wrap(new byte[] {1}));
            b.unlink("d/f");
            assertAbsent(a, "d/f");
            b.put("d/g", 0644, ByteBuffer.wrap(new byte[] {1}));
            a.mkdir("d/h", 0755);
            b.rename("d/g", "d/h2", 0);
            assertEquals(1, a.lookup("d/h2").size(), "renamed in by another client");

            // directories exchanged: a knows x/sub (empty), which then holds what y/sub held
            a.mkdir("x", 0755);
            a.mkdir("x/sub", 0755);
            assertAbsent(a, "x/sub/file");
            b.mkdir("y", 0755);
            b.mkdir("y/sub", 0755);
            b.put("y/sub/file", 0644, ByteBuffer.wrap(new byte[] {3, 4, 5}));
            b.rename("x", "y", io.camelfs.fop.FileOps.RENAME_EXCHANGE);
            assertEquals(3, a.lookup("x/sub/file").size(), "a sees what the exchange brought");
        }
    }

    @Test
    void aListingIsNotTrustedOnceItsLeaseMayHaveLapsed() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "test", 2, java.util.Map.of("lease-timeout", "2s"));
                Replicate a = v.client(); Replicate b = v.client()) {
            a.mkdir("d", 0755);
            assertAbsent(a, "d/late");
            Thread.sleep(3_500); // the bricks let a lease lapse after 2 s unused (swept each second), without a recall
            b.put("d/late", 0644, ByteBuffer.wrap(new byte[] {1}));
            assertEquals(1, a.lookup("d/late").size());
            assertEquals(0, b.stats().contentions(), "b needed no recall: the lease had lapsed");
        }
    }

    @Test
    void aBrickThatWasAwayEndsEveryListing() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2); Replicate a = v.client()) {
            a.mkdir("d", 0755);
            long before = v.server(0).operations().count("lookup");
            assertAbsent(a, "d/x");
            assertEquals(before, v.server(0).operations().count("lookup"));
            v.stop(1);
            LocalVolume.awaitUp(a, 1, 10_000);
            assertAbsent(a, "d/x");
            assertEquals(before + 1, v.server(0).operations().count("lookup"), "with a brick away, bricks are asked");
            v.start(1);
            LocalVolume.awaitUp(a, 2, 10_000);
            assertAbsent(a, "d/x");
            assertEquals(before + 2, v.server(0).operations().count("lookup"), "and after it came back");
        }
    }
}
