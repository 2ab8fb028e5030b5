package io.camelfs.client;

import io.camelfs.afr.Replicate;
import io.camelfs.fop.FileOps;
import io.camelfs.protocol.VolumeFetcher;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.VolumeAddress;
import io.camelfs.volume.VolumeSpec;
import java.time.Duration;
import java.util.List;

/**
 * Opens a volume the way every client does: ask any of its bricks for the definition (so HOST:PORT:/VOLUME is
 * enough), then connect the replicate layer to all bricks.
 */
public final class VolumeClient {
    /** How long the first server (and each backup server) gets to hand out the volume definition. */
    public static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

    private VolumeClient() {
    }

    public static Replicate open(VolumeAddress address, String clientName) {
        return open(address.server(), List.of(), address.volume(), clientName);
    }

    /** Tries the server, then each backup server, for the definition. */
    public static Replicate open(BrickAddress server, List<BrickAddress> backups, String volume, String clientName) {
        VolumeSpec spec = VolumeFetcher.fetch(server, backups, volume, FETCH_TIMEOUT);
        return Replicate.connect(spec, clientName);
    }

    public static Replicate open(VolumeSpec spec, String clientName) {
        return Replicate.connect(spec, clientName);
    }

    /** The stack as data, top first. */
    public static String describe(FileOps ops) {
        return ops.describe();
    }
}
