package io.camelfs.testing;

import io.camelfs.afr.Replicate;
import io.camelfs.brick.BrickServer;
import io.camelfs.volume.VolumeSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A volume whose bricks run in this JVM on free 127.0.0.1 ports, over real sockets, with brick directories in a
 * temporary folder. For tests of the engine; tests that kill bricks use separate processes instead.
 */
public final class LocalVolume implements AutoCloseable {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    public final VolumeSpec spec;
    public final List<Path> dirs = new ArrayList<>();
    private final BrickServer[] servers;

    public LocalVolume(Path base, String name, int replica, Map<String, String> options) throws IOException {
        this(base, name, replica, 0, options);
    }

    /** arbiter 1 makes the last of 3 bricks the arbiter. */
    public LocalVolume(Path base, String name, int replica, int arbiter, Map<String, String> options)
            throws IOException {
        List<String> bricks = new ArrayList<>();
        for (int i = 0; i < replica; i++) {
            bricks.add("127.0.0.1:" + freePort());
            dirs.add(base.resolve("brick" + i));
        }
        this.spec = VolumeSpec.of(name, replica, bricks, arbiter, options);
        this.servers = new BrickServer[replica];
        for (int i = 0; i < replica; i++) {
            start(i);
        }
    }

    public LocalVolume(Path base, int replica) throws IOException {
        this(base, "test", replica, new HashMap<>());
    }

    /**
     * A 127.0.0.1 port nothing listens on now, and one this JVM has not handed out before: the kernel can give a
     * port just closed to the next bind, and two bricks of one volume then got the same one.
     */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
        throw new IOException("no port this JVM has not handed out already in 100 tries");
    }

    public void start(int i) {
        servers[i] = BrickServer.start(new BrickServer.Config(spec, dirs.get(i), "127.0.0.1",
                spec.bricks().get(i).port(), true, 8), null);
    }

    public void stop(int i) {
        if (servers[i] != null) {
            servers[i].close();
            servers[i] = null;
        }
    }

    public BrickServer server(int i) {
        return servers[i];
    }

    public Replicate client() {
        return Replicate.connect(spec, "test-client");
    }

    public Path file(int brick, String path) {
        return dirs.get(brick).resolve(path);
    }

    @Override
    public void close() {
        for (int i = 0; i < servers.length; i++) {
            stop(i);
        }
    }

    /** Waits until the client sees the wanted number of bricks up. */
    public static void awaitUp(Replicate c, int n, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (c.upBricks().size() != n) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("expected " + n + " bricks up, have " + c.upBricks());
            }
            Thread.sleep(20);
        }
    }

    public static boolean exists(Path p) {
        return Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
}
