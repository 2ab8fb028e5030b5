package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LeaseTableTest {
    private static final ByteString STUCK = ByteString.copyFromUtf8("stuck-holder");
    private static final ByteString WAITER = ByteString.copyFromUtf8("waiting-client");

    /** A table whose recalls land in the list; leases lapse after 2 s unused (the shortest lease-timeout). */
    private static LeaseTable table(List<String> recalls, long recallTimeoutMillis) {
        return new LeaseTable((s, k) -> recalls.add(k), recallTimeoutMillis, 2000);
    }

    /**
     * A holder that ignores recalls loses its lease once the recall timeout has passed since it was first asked.
     * The sweep repeats the recall every second, and each repeat used to restart the timeout: with a timeout over a
     * second (the default is the 10 s session grace), a stuck holder that kept its session alive kept the lease
     * forever and every other client waited in vain.
     */
    @Test
    void aHolderThatIgnoresRecallsIsRevokedAfterTheTimeout() throws Exception {
        List<String> recalls = new java.util.concurrent.CopyOnWriteArrayList<>();
        LeaseTable t = table(recalls, 1500);
        assertTrue(t.enterAcquire(STUCK, List.of("e:x")));
        t.exit(List.of("e:x"));
        CountDownLatch granted = new CountDownLatch(1);
        t.acquire(WAITER, List.of("e:x"), granted::countDown);
        assertEquals(1, recalls.size(), "the holder is asked to release");
        for (int i = 0; i < 2 && granted.getCount() > 0; i++) {
            Thread.sleep(1100); // the sweep's period: each sweep asks again
            t.sweep();
        }
        assertEquals(0, granted.getCount(), "the waiter got the lease 2.2 s after a 1.5 s recall timeout");
        assertTrue(recalls.size() >= 2, "the recall was repeated meanwhile: " + recalls);
        assertTrue(t.enterHeld(WAITER, List.of("e:x")));
    }

    /**
     * The revocation clock belongs to one contention. A requester that gave up left the clock running; a new
     * requester seconds later had the holder revoked at once, without the recall that makes it drop its cached
     * attributes -- a mount then read a file short after another mount's append returned (MountIT saw it).
     */
    @Test
    void aNewContentionAfterAQuietSpellRecallsBeforeRevoking() throws Exception {
        List<String> recalls = new java.util.concurrent.CopyOnWriteArrayList<>();
        LeaseTable t = table(recalls, 1500);
        assertTrue(t.enterAcquire(STUCK, List.of("e:x")));
        t.exit(List.of("e:x"));
        LeaseTable.Waiter first = t.acquire(WAITER, List.of("e:x"), () -> { });
        t.cancel(first); // gave up at once
        Thread.sleep(3_200);
        CountDownLatch granted = new CountDownLatch(1);
        t.acquire(ByteString.copyFromUtf8("later-client"), List.of("e:x"), granted::countDown);
        t.sweep();
        assertEquals(1, granted.getCount(), "the holder was revoked without a fresh recall and its timeout");
        assertEquals(2, recalls.size(), "the holder is asked again: " + recalls);
    }

    /**
     * A listing key is only cleared by other clients' entry operations: a holder is recalled and the operation
     * refused; a free key is not granted to the operation, but nobody gets it while the operation is applied.
     */
    @Test
    void clearingAListingKeyRecallsItsHolderAndNeverTakesIt() throws Exception {
        List<String> recalls = new java.util.concurrent.CopyOnWriteArrayList<>();
        LeaseTable t = table(recalls, 10_000);
        assertTrue(t.enterAcquire(STUCK, List.of("n:d")));
        t.exit(List.of("n:d"));
        assertTrue(!t.enterAcquire(WAITER, List.of("e:d/x"), List.of("n:d")), "refused while another holds it");
        assertEquals(List.of("n:d"), recalls, "and the holder is recalled");
        assertTrue(t.enterAcquire(STUCK, List.of("e:d/y"), List.of("n:d")), "its own holder is not refused");
        t.exit(List.of("e:d/y"));
        t.exitCleared(List.of("n:d"));
        t.release(STUCK, List.of("n:d"));
        assertTrue(t.enterAcquire(WAITER, List.of("e:d/x"), List.of("n:d")), "free: the operation goes ahead");
        assertTrue(!t.enterAcquire(STUCK, List.of("n:d")), "nobody is granted the key while it is applied");
        CountDownLatch granted = new CountDownLatch(1);
        t.acquire(STUCK, List.of("n:d"), granted::countDown);
        assertEquals(1, granted.getCount(), "a waiter waits for the operation");
        t.exit(List.of("e:d/x"));
        t.exitCleared(List.of("n:d"));
        assertEquals(0, granted.getCount(), "and gets the key once it is applied");
        assertTrue(!t.enterHeld(WAITER, List.of("e:d/x"), List.of("n:d")), "cleared keys hold for held leases too");
    }

    /** Clearing a subtree recalls the listing keys of the directory and all below it, and no others. */
    @Test
    void clearingASubtreeRecallsEveryListingBelowIt() {
        List<String> recalls = new java.util.concurrent.CopyOnWriteArrayList<>();
        LeaseTable t = table(recalls, 10_000);
        for (String k : List.of("n:a", "n:a/b", "n:a/b/c", "n:ab", "n:", "e:a/x")) {
            assertTrue(t.enterAcquire(STUCK, List.of(k)));
            t.exit(List.of(k));
        }
        assertTrue(!t.enterAcquire(WAITER, List.of("e:a"), List.of("N:a")));
        assertEquals(java.util.Set.of("n:a", "n:a/b", "n:a/b/c"), new java.util.HashSet<>(recalls));
        CountDownLatch granted = new CountDownLatch(1);
        t.acquire(WAITER, List.of("e:a", "N:a"), granted::countDown);
        t.release(STUCK, List.of("n:a", "n:a/b"));
        assertEquals(1, granted.getCount(), "a waiter for the subtree waits for every listing below it");
        t.release(STUCK, List.of("n:a/b/c"));
        assertEquals(0, granted.getCount());
        assertTrue(t.enterHeld(STUCK, List.of("n:ab", "n:")), "a sibling with the same prefix, and the root, stay");
    }
}
