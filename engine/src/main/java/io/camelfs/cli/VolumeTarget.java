package io.camelfs.cli;

import io.camelfs.afr.Replicate;
import io.camelfs.client.VolumeClient;
import io.camelfs.volume.VolumeAddress;

/** HOST:PORT:/VOLUME[/path] given on the command line, opened as a volume client. */
final class VolumeTarget implements AutoCloseable {
    final VolumeAddress address;
    final Replicate volume;

    private VolumeTarget(VolumeAddress address, Replicate volume) {
        this.address = address;
        this.volume = volume;
    }

    static VolumeTarget open(String spec) {
        VolumeAddress a = VolumeAddress.parse(spec);
        return new VolumeTarget(a, VolumeClient.open(a, "camelfs-cli"));
    }

    String path() {
        return address.path();
    }

    @Override
    public void close() {
        volume.close();
    }
}
