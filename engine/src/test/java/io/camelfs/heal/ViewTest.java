package io.camelfs.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.afr.Changelog;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewTest {
    /** ChaosIT's log had an entry heal die of a NullPointerException when a brick was killed between two lookups. */
    @Test
    void aBrickThatStoppedAnsweringFailsTheHealWithAReason() {
        Map<Integer, View> views = Map.of(0, new View(0, Errno.ENOENT, null, Changelog.CLEAN));
        assertEquals(1, View.attrs(views, List.of(0)).size());
        FopException e = assertThrows(FopException.class, () -> View.attrs(views, List.of(0, 2)));
        assertEquals(Errno.ENOTCONN, e.errno());
        assertTrue(e.getMessage().contains("brick 2 stopped answering"), e.getMessage());
    }
}
