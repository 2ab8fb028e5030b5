package io.camelfs.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VolumeOptionsTest {
    @Test
    void leaseTimeoutDefaultsToTwentySecondsAndIsAtLeastTwo() {
        assertEquals(Duration.ofSeconds(20), VolumeOptions.of(Map.of(), 2).leaseTimeout());
        assertEquals(Duration.ofSeconds(45), VolumeOptions.of(Map.of("lease-timeout", "45s"), 2).leaseTimeout());
        InvalidVolumeException e = assertThrows(InvalidVolumeException.class,
                () -> VolumeOptions.of(Map.of("lease-timeout", "1s"), 2));
        assertEquals("option lease-timeout: '1s' is shorter than 2s (bricks look for lapsed leases once a second)",
                e.getMessage());
    }
}
