package io.camelfs.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.afr.Replicate;
import io.camelfs.protocol.VolumeFetcher;
import io.camelfs.testing.Bytes;
import io.camelfs.testing.LocalVolume;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth.allow / auth.reject: bricks refuse clients by address at connect, with a clear reason, serving nothing. */
class AuthTest {
    @TempDir
    Path tmp;

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void addressListsMatchAddressesCidrBlocksAndWildcards() throws Exception {
        AddressList l = AddressList.parse("auth.allow", "10.0.0.0/8, 192.168.1.*, 127.0.0.1, fd00::/8");
        assertTrue(l.matches(ip("10.200.3.4")));
        assertFalse(l.matches(ip("11.0.0.1")));
        assertTrue(l.matches(ip("192.168.1.77")));
        assertFalse(l.matches(ip("192.168.2.77")));
        assertTrue(l.matches(ip("127.0.0.1")));
        assertFalse(l.matches(ip("127.0.0.2")));
        assertTrue(l.matches(ip("fd12::1")));
        assertFalse(l.matches(ip("fe80::1")));
        assertTrue(AddressList.parse("auth.allow", "*").matches(ip("8.8.8.8")));
        for (String bad : List.of("10.0.0.0/33", "example.com", "10.0.*", "1.2.3.x", "10.0.0.0/x")) {
            InvalidVolumeException e = assertThrows(InvalidVolumeException.class,
                    () -> VolumeOptions.of(Map.of("auth.allow", bad), 2));
            assertTrue(e.getMessage().startsWith("option auth.allow: '" + bad + "'"), e.getMessage());
        }
        assertEquals("*", VolumeOptions.of(Map.of("authAllow", "*"), 2).authAllow().toString(),
                "Camel's camelCase key binds too");
    }

    @Test
    void aRejectedClientIsRefusedWithTheReasonAndServedNothing() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of("auth.allow", "127.0.0.0/8",
                "auth.reject", "127.0.0.1"))) {
            Exception e = assertThrows(Exception.class, () -> VolumeFetcher.fetch(v.spec.bricks().get(0), List.of(),
                    "web", Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("client 127.0.0.1 is refused by auth.reject (127.0.0.1)"),
                    e.getMessage());
            try (Replicate c = v.client()) {
                assertFalse(c.isUp(0));
                assertTrue(c.downReason(0).contains("auth.reject"), c.downReason(0));
                assertThrows(Exception.class, () -> c.put("x", 0644, Bytes.of("no")));
            }
            assertFalse(Files.exists(v.file(0, "x")), "nothing written");
        }
    }

    @Test
    void aClientOutsideAuthAllowIsRefusedAndOneInsideIsServed() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp.resolve("a"), "web", 2, Map.of("auth.allow", "10.0.0.0/8"))) {
            Exception e = assertThrows(Exception.class, () -> VolumeFetcher.fetch(v.spec.bricks().get(0), List.of(),
                    "web", Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("client 127.0.0.1 is not in auth.allow (10.0.0.0/8)"),
                    e.getMessage());
        }
        try (LocalVolume v = new LocalVolume(tmp.resolve("b"), "web", 2, Map.of("auth.allow", "127.*.*.*",
                "auth.reject", "10.0.0.0/8")); Replicate c = v.client()) {
            LocalVolume.awaitUp(c, 2, 10_000);
            c.put("ok.txt", 0644, Bytes.of("served"));
            assertEquals("served", Files.readString(v.file(1, "ok.txt")));
        }
    }
}
