package io.camelfs.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.protocol.v1.VolumeReply;
import io.camelfs.protocol.v1.VolumeRequest;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.VolumeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Asks a brick for the definition of the volume it belongs to. */
public final class VolumeFetcher {
    private VolumeFetcher() {
    }

    public static VolumeSpec fetch(BrickAddress server, List<BrickAddress> backups, String volume, Duration timeout) {
        return fetch(server, backups, volume, timeout, Transport.PLAIN);
    }

    public static VolumeSpec fetch(BrickAddress server, List<BrickAddress> backups, String volume, Duration timeout,
            Transport transport) {
        List<BrickAddress> all = new ArrayList<>();
        all.add(server);
        all.addAll(backups);
        List<String> why = new ArrayList<>();
        for (BrickAddress a : all) {
            try (Link l = Link.connect(a, timeout, transport)) {
                l.send(Method.VOLUME, 1, VolumeRequest.newBuilder().setVolume(volume).build());
                Frame f = l.receive(timeout.toMillis());
                if (f.kind() == Frame.ERROR) {
                    if (f.errorCode() == Frame.NOT_FOUND) {
                        throw new FopException(Errno.ENOENT, f.errorMessage());
                    }
                    why.add(a + ": " + f.errorMessage());
                    continue;
                }
                return Wire.volume(VolumeReply.parseFrom(f.payload()).getSpec());
            } catch (BrickUnavailableException e) {
                why.add(a + ": " + e.getMessage());
            } catch (InvalidProtocolBufferException e) {
                why.add(a + ": not a camelfs brick (malformed reply)");
            }
        }
        throw new FopException(Errno.ENOTCONN, "cannot get volume " + volume + " from " + String.join("; ", why));
    }
}
