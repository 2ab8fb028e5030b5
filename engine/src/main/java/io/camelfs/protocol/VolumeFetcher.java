package io.camelfs.protocol;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.protocol.v1.BrickGrpc;
import io.camelfs.protocol.v1.VolumeRequest;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.VolumeSpec;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Asks a brick for the definition of the volume it belongs to. */
public final class VolumeFetcher {
    private VolumeFetcher() {
    }

    public static VolumeSpec fetch(BrickAddress server, List<BrickAddress> backups, String volume, Duration timeout) {
        List<BrickAddress> all = new ArrayList<>();
        all.add(server);
        all.addAll(backups);
        List<String> why = new ArrayList<>();
        for (BrickAddress a : all) {
            ManagedChannel ch = NettyChannelBuilder.forAddress(a.host(), a.port()).usePlaintext().build();
            try {
                var reply = BrickGrpc.newBlockingStub(ch).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .volume(VolumeRequest.newBuilder().setVolume(volume).build());
                return Wire.volume(reply.getSpec());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    throw new FopException(Errno.ENOENT, e.getStatus().getDescription());
                }
                why.add(a + ": " + BrickClient.describe(e));
            } finally {
                ch.shutdownNow();
            }
        }
        throw new FopException(Errno.ENOTCONN, "cannot get volume " + volume + " from " + String.join("; ", why));
    }
}
