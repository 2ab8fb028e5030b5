package io.camelfs.mount;

import io.camelfs.client.LocalHost;
import io.camelfs.afr.Replicate;
import io.camelfs.client.VolumeClient;
import io.camelfs.heal.AccessHeals;
import io.camelfs.heal.Healer;
import io.camelfs.posix.CpuLatencyRequest;
import io.camelfs.volume.Squash;
import io.camelfs.volume.VolumeAddress;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process behind a mount: connects to the volume, serves FUSE until the mount goes away (umount,
 * fusermount -u, or SIGTERM, which unmounts), then closes its brick sessions.
 */
public final class MountDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(MountDaemon.class);

    private MountDaemon() {
    }

    /** Blocks until unmounted; returns the exit code. */
    public static int run(VolumeAddress address, Path mountpoint, MountOptions options) {
        Replicate volume = VolumeClient.open(address.server(), options.backupServers(), address.volume(),
                "mount " + mountpoint + " on " + LocalHost.name(), options.transport());
        // squashed users own what they create as someone else, whom the bricks judge: only they can tell
        boolean early = !options.syncCreate() && volume.spec().options().squash().mode() == Squash.Mode.NONE;
        CpuLatencyRequest latency = CpuLatencyRequest.whileBusy(options.cpuLatencyMicros(), "mount " + mountpoint);
        CamelfsFuse fs = new CamelfsFuse(volume, mountpoint, volume::holdsLease, volume::knowsListing,
                options.mdCacheTimeout(), early, latency::busy);
        volume.onLeaseRecall(fs::leasesRecalled);
        // heal on access: what this mount reads from a good copy, it also repairs on the others
        Healer healer = volume.spec().options().healOnAccess() ? new Healer(volume.replicas(), "mount "
                + mountpoint) : null;
        AccessHeals access = healer == null ? null : AccessHeals.attach(volume, healer);
        List<String> args = options.fuseArgs(address.server() + ":/" + address.volume());
        LOG.info("mounting {} on {} ({}), options {}; {}", address, mountpoint,
                volume.describe().replace('\n', ';'), args, latency);
        try {
            fs.mount(mountpoint, true, false, args.toArray(new String[0]));
        } finally {
            LOG.info("unmounted {} from {}; {}; callbacks served:\n{}", address, mountpoint, volume.stats(),
                    fs.stats());
            if (access != null) {
                access.close();
                healer.close();
            }
            volume.close();
            latency.close();
        }
        return 0;
    }

}
