package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.LockRequest.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Waits that would close a cycle of owners are refused with EDEADLK, as Linux refuses them; other waits wait. */
class LockTableTest {
    private final LockTable table = new LockTable();
    private final List<String> granted = new ArrayList<>();

    private static LockTable.Owner owner(String name) {
        return new LockTable.Owner(ByteString.copyFromUtf8("session-" + name.charAt(0)), ByteString.copyFromUtf8(name));
    }

    private final LockTable.Owner a = owner("a");
    private final LockTable.Owner b = owner("b");
    private final LockTable.Owner c = owner("c");

    private LockTable.Waiter waitFor(LockTable.Owner o, String inode, Type type, long start, long end) {
        return table.set(inode, o, type, start, end, 1, true, () -> granted.add(o.id().toStringUtf8()));
    }

    @Test
    void twoOwnersWaitingForEachOther() {
        assertTrue(table.trySet("f", a, Type.WRITE, 0, 10, 1));
        assertTrue(table.trySet("f", b, Type.WRITE, 10, 20, 2));
        LockTable.Waiter aWaits = waitFor(a, "f", Type.WRITE, 10, 20);
        assertFalse(aWaits.done, "a waits for b");
        FopException e = assertThrows(FopException.class, () -> waitFor(b, "f", Type.WRITE, 0, 10));
        assertEquals(Errno.EDEADLK, e.errno());
        // b, told of the deadlock, gives up its lock: a's wait ends
        table.trySet("f", b, Type.UNLOCK, 0, Long.MAX_VALUE, 2);
        assertEquals(List.of("a"), granted);
    }

    @Test
    void aCycleThroughThreeOwnersAndTwoFiles() {
        assertTrue(table.trySet("f", a, Type.WRITE, 0, 1, 1));
        assertTrue(table.trySet("g", b, Type.WRITE, 0, 1, 2));
        assertTrue(table.trySet("f", c, Type.WRITE, 5, 6, 3));
        waitFor(a, "g", Type.WRITE, 0, 1); // a waits for b
        waitFor(b, "f", Type.WRITE, 5, 6); // b waits for c
        FopException e = assertThrows(FopException.class, () -> waitFor(c, "f", Type.READ, 0, 1)); // c for a
        assertEquals(Errno.EDEADLK, e.errno());
    }

    @Test
    void twoReadersUpgradingAtOnce() {
        assertTrue(table.trySet("f", a, Type.READ, 0, 10, 1));
        assertTrue(table.trySet("f", b, Type.READ, 0, 10, 2));
        assertFalse(waitFor(a, "f", Type.WRITE, 0, 10).done);
        assertEquals(Errno.EDEADLK,
                assertThrows(FopException.class, () -> waitFor(b, "f", Type.WRITE, 0, 10)).errno());
    }

    @Test
    void waitsWithoutACycleWait() {
        assertTrue(table.trySet("f", a, Type.WRITE, 0, 10, 1));
        assertFalse(waitFor(b, "f", Type.WRITE, 0, 10).done, "b waits for a");
        assertFalse(waitFor(c, "f", Type.WRITE, 5, 6).done, "c waits for a, who waits for nobody");
        // a waiting for a range of its own is no cycle either
        assertTrue(waitFor(a, "f", Type.READ, 0, 3).done);
        table.trySet("f", a, Type.UNLOCK, 0, Long.MAX_VALUE, 1);
        assertEquals(List.of("a", "b"), granted, "a's at once, then b's; c still waits for b");
    }

    @Test
    void aCancelledWaitNoLongerCounts() {
        assertTrue(table.trySet("f", a, Type.WRITE, 0, 10, 1));
        assertTrue(table.trySet("f", b, Type.WRITE, 10, 20, 2));
        table.cancel(waitFor(a, "f", Type.WRITE, 10, 20));
        assertFalse(waitFor(b, "f", Type.WRITE, 0, 10).done, "a gave up its wait: b may wait for a");
    }
}
