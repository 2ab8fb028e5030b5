package io.camelfs.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.volume.InvalidVolumeException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountOptionsTest {
    @Test
    void createsWaitForTheFirstWriteUnlessSyncCreateIsGiven() {
        assertFalse(MountOptions.parse("").syncCreate());
        assertFalse(MountOptions.parse("allow_other,_netdev").syncCreate());
        assertTrue(MountOptions.parse("allow_other,sync-create").syncCreate());
        assertTrue(MountOptions.parse("sync_create").syncCreate());
        // the background mount process gets the options rendered
        assertTrue(MountOptions.parse(MountOptions.parse("sync-create").render()).syncCreate());
        assertFalse(MountOptions.parse(MountOptions.parse("ro").render()).syncCreate());
    }

    @Test
    void camelfsOptionsAreConsumedAndFuseOptionsPassedOn() {
        MountOptions o = MountOptions.parse("ro,allow_other,default_permissions,md-cache-timeout=2.5,"
                + "backup-servers=127.0.0.1:24012,127.0.0.1:24013,nofail");
        assertEquals(List.of("ro", "allow_other", "default_permissions"), o.fuseOptions());
        assertEquals(2.5, o.mdCacheTimeout());
        assertEquals(2, o.backupServers().size());
    }

    @Test
    void anUnknownOptionIsRefusedByName() {
        InvalidVolumeException e = assertThrows(InvalidVolumeException.class,
                () -> MountOptions.parse("allow_other,lazy-create"));
        assertTrue(e.getMessage().startsWith("unknown mount option 'lazy-create'"), e.getMessage());
        assertTrue(e.getMessage().contains("sync-create"), e.getMessage());
    }

    @Test
    void idleCpusPollWhileBusyUnlessCpuLatencyIsOff() {
        assertEquals(0, MountOptions.parse("").cpuLatencyMicros());
        assertEquals(50, MountOptions.parse("cpu-latency=50").cpuLatencyMicros());
        assertEquals(null, MountOptions.parse("cpu_latency=off").cpuLatencyMicros());
        assertEquals(null, MountOptions.parse(MountOptions.parse("cpu-latency=off").render()).cpuLatencyMicros());
        assertEquals(50, MountOptions.parse(MountOptions.parse("cpu-latency=50").render()).cpuLatencyMicros());
        for (String bad : List.of("cpu-latency=-1", "cpu-latency=fast", "cpu-latency=1000001", "cpu-latency")) {
            InvalidVolumeException e = assertThrows(InvalidVolumeException.class, () -> MountOptions.parse(bad));
            assertTrue(e.getMessage().startsWith("mount option cpu-latency"), e.getMessage());
        }
    }
}
