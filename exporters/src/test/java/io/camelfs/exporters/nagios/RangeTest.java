package io.camelfs.exporters.nagios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Monitoring Plugins range syntax, case by case from the guidelines. */
class RangeTest {
    @Test
    void plainNumberAlertsOutsideZeroToIt() {
        Range r = Range.parse("10");
        assertTrue(r.alerts(-1));
        assertFalse(r.alerts(0));
        assertFalse(r.alerts(10));
        assertTrue(r.alerts(10.5));
    }

    @Test
    void openEndsAndTilde() {
        assertTrue(Range.parse("10:").alerts(9.9));
        assertFalse(Range.parse("10:").alerts(1e12));
        assertTrue(Range.parse("~:10").alerts(11));
        assertFalse(Range.parse("~:10").alerts(-1e12));
    }

    @Test
    void insideWithAt() {
        Range r = Range.parse("@10:20");
        assertFalse(r.alerts(9));
        assertTrue(r.alerts(10));
        assertTrue(r.alerts(20));
        assertFalse(r.alerts(21));
        assertTrue(Range.parse("10:20").alerts(9));
        assertFalse(Range.parse("10:20").alerts(15));
    }

    @Test
    void malformedRangesNameThemselves() {
        for (String bad : List.of("", "abc", "1:0x", "20:10", "~", "1:2:3", "@", "NaN")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Range.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("range"), e.getMessage());
        }
        assertEquals("threshold range '20:10' starts after it ends",
                assertThrows(IllegalArgumentException.class, () -> Range.parse("20:10")).getMessage());
    }

    @Test
    void perfDataFormat() {
        PerfData p = PerfData.of("heal_pending", 5).thresholds(Range.parse("100"), Range.parse("1000"))
                .bounds(0.0, null);
        assertEquals("'heal_pending'=5;100;1000;0;", p.toString());
        assertEquals("'time'=0.0125s;;;0;", PerfData.of("time", 0.0125).uom("s").bounds(0.0, null).toString());
        assertEquals("CAMELFS MOUNT OK - fine | 'a'=1;;;; 'b'=2;;;;", new PluginResult("MOUNT", Status.OK,
                "fine", List.of(PerfData.of("a", 1), PerfData.of("b", 2))).line());
        assertEquals("CAMELFS VOLUME CRITICAL - a b", PluginResult.of("VOLUME", Status.CRITICAL, "a|b\n").line());
    }

    @Test
    void criticalOutranksUnknownWhichOutranksWarning() {
        assertEquals(Status.CRITICAL, Status.UNKNOWN.worst(Status.CRITICAL));
        assertEquals(Status.UNKNOWN, Status.WARNING.worst(Status.UNKNOWN));
        assertEquals(Status.WARNING, Status.OK.worst(Status.WARNING));
    }
}
