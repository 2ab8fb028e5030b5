package io.camelfs.brick;

import com.google.protobuf.ByteString;
import io.camelfs.fop.Gfid;
import io.camelfs.protocol.BrickClient;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Create;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.Link;
import io.camelfs.protocol.v1.Lookup;
import io.camelfs.protocol.v1.Mkdir;
import io.camelfs.protocol.v1.Read;
import io.camelfs.protocol.v1.Readdir;
import io.camelfs.protocol.v1.Rename;
import io.camelfs.protocol.v1.Symlink;
import io.camelfs.testing.LocalVolume;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A one-brick volume and a raw connection to its brick that sends whatever a test builds, past every check the
 * client makes, as a hostile client would.
 */
final class HostileBrick implements AutoCloseable {
    final LocalVolume volume;
    /** The brick's directory on disk. */
    final Path dir;
    private final ScheduledExecutorService scheduler;
    private final BrickClient raw;

    HostileBrick(Path base) throws IOException {
        volume = new LocalVolume(base, 1);
        dir = volume.dirs.get(0);
        scheduler = Executors.newSingleThreadScheduledExecutor();
        raw = new BrickClient(0, volume.spec.bricks().get(0), "test", ByteString.copyFrom(new byte[16]), "hostile",
                Duration.ofSeconds(5), new BrickClient.Events() {
                    public void up(BrickClient b, boolean e) {
                    }

                    public void down(BrickClient b, String r) {
                    }

                    public void recall(BrickClient b, List<String> k) {
                    }
                }, scheduler);
        raw.connect();
    }

    /** Sends one request unnumbered (seq 0): the brick keeps no replay memory for it, so a loop can send many. */
    FopReply send(FopRequest.Builder r) {
        return raw.send(r, Header.newBuilder(), false).reply().get();
    }

    /** Sends one request numbered, as a client's mutations are (the brick tracks it until settled). */
    FopReply sendNumbered(FopRequest.Builder r) {
        return raw.send(r, Header.newBuilder(), true).reply().get();
    }

    FopReply create(String path, String data) {
        return send(FopRequest.newBuilder().setCreate(Create.newBuilder().setPath(path)
                .setGfid(Wire.gfid(Gfid.random())).setMode(0644).setData(ByteString.copyFromUtf8(data))));
    }

    FopReply mkdir(String path) {
        return send(FopRequest.newBuilder().setMkdir(Mkdir.newBuilder().setPath(path)
                .setGfid(Wire.gfid(Gfid.random())).setMode(0755)));
    }

    FopReply read(String path) {
        return send(FopRequest.newBuilder().setRead(Read.newBuilder().setPath(path).setLength(4096)));
    }

    FopReply lookup(String path) {
        return send(FopRequest.newBuilder().setLookup(Lookup.newBuilder().setPath(path)));
    }

    FopReply link(String existing, String path) {
        return send(FopRequest.newBuilder().setLink(Link.newBuilder().setExisting(existing).setPath(path)));
    }

    FopReply rename(String from, String to) {
        return send(FopRequest.newBuilder().setRename(Rename.newBuilder().setFrom(from).setTo(to)));
    }

    FopReply symlink(String path, String target) {
        return send(FopRequest.newBuilder().setSymlink(Symlink.newBuilder().setPath(path).setTarget(target)));
    }

    /** Every name in the directory, as the brick lists it (one page is plenty for a test). */
    List<String> list(String path) {
        FopReply r = send(FopRequest.newBuilder().setReaddir(Readdir.newBuilder().setPath(path)
                .setMaxEntries(10_000)));
        if (r.getErrno() != 0) {
            throw new AssertionError("readdir " + path + ": " + r.getError());
        }
        List<String> names = new ArrayList<>();
        r.getEntriesList().forEach(e -> names.add(e.getName()));
        return names;
    }

    @Override
    public void close() {
        raw.close();
        scheduler.shutdownNow();
        volume.close();
    }
}
