package io.camelfs.client;

import io.camelfs.afr.Replicate;
import io.camelfs.fop.FileOps;
import io.camelfs.protocol.Transport;
import io.camelfs.protocol.VolumeFetcher;
import io.camelfs.tls.TlsFiles;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.VolumeAddress;
import io.camelfs.volume.VolumeSpec;
import java.nio.file.Path;
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

    /** For the command line: over TLS when the environment says so (see {@link #environmentTransport}). */
    public static Replicate open(VolumeAddress address, String clientName) {
        return open(address.server(), List.of(), address.volume(), clientName, environmentTransport());
    }

    /**
     * Tries the server, then each backup server, for the definition, and connects to its bricks the same way: the
     * first contact cannot learn from the volume whether it speaks TLS, so the caller says.
     */
    public static Replicate open(BrickAddress server, List<BrickAddress> backups, String volume, String clientName,
            Transport transport) {
        VolumeSpec spec = VolumeFetcher.fetch(server, backups, volume, FETCH_TIMEOUT, transport);
        return Replicate.connect(spec, clientName, transport);
    }

    /**
     * CAMELFS_TLS=on makes command-line clients use mutual TLS with CAMELFS_TLS_CERT, CAMELFS_TLS_KEY and
     * CAMELFS_TLS_CA (default /etc/ssl/camelfs.pem, .key, .ca); anything else is plain TCP.
     */
    public static Transport environmentTransport() {
        String on = System.getenv("CAMELFS_TLS");
        if (on == null || !(on.equalsIgnoreCase("on") || on.equalsIgnoreCase("true") || on.equals("1"))) {
            return Transport.PLAIN;
        }
        TlsFiles d = TlsFiles.DEFAULT;
        return Transport.tls(new TlsFiles(env("CAMELFS_TLS_CERT", d.cert()), env("CAMELFS_TLS_KEY", d.key()),
                env("CAMELFS_TLS_CA", d.ca())));
    }

    private static Path env(String name, Path otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : Path.of(v);
    }

    public static Replicate open(VolumeSpec spec, String clientName) {
        return Replicate.connect(spec, clientName);
    }

    /** The stack as data, top first. */
    public static String describe(FileOps ops) {
        return ops.describe();
    }
}
