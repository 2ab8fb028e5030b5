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

    /**
     * A holder that ignores recalls loses its lease once the recall timeout has passed since it was first asked.
     * The sweep repeats the recall every second, and each repeat used to restart the timeout: with a timeout over a
     * second (the default is the 10 s session grace), a stuck holder that kept its session alive kept the lease
     * forever and every other client waited in vain.
     */
    @Test
    void aHolderThatIgnoresRecallsIsRevokedAfterTheTimeout() throws Exception {
        List<String> recalls = new java.util.concurrent.CopyOnWriteArrayList<>();
        LeaseTable t = new LeaseTable((s, k) -> recalls.add(k), 1500);
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
        LeaseTable t = new LeaseTable((s, k) -> recalls.add(k), 1500);
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
}
