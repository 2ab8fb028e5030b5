package io.camelfs.brick;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Unix-domain socket a brick listens on beside its TCP port, for clients on the same host: a node's mount of a
 * volume one of whose bricks it runs, or every client of a volume on one machine. Clients learn its name in the
 * hello over TCP (after auth.allow let them in), and the name carries the brick's epoch, so a client that can open
 * it talks to that very brick; one on another host, in another container or as another user cannot open it and
 * stays on TCP. Its directory belongs to the brick's user alone (mode 0700), so the socket admits only processes
 * that could read the brick's files anyway.
 */
final class LocalSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSocket.class);
    /** sun_path holds 108 bytes with its terminating zero. */
    private static final int MAX_PATH = 107;

    private final Path path;
    private final ServerSocketChannel server;
    private volatile boolean closing;

    private LocalSocket(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
    }

    /**
     * Listens on {@code DIR/brick-PORT-EPOCH.sock}, DIR being /run/camelfs or, for a user who may not write there,
     * camelfs-USER in the temporary directory; each connection goes to serve on a thread of its own accept loop.
     * Null, with a line in the log, where that cannot be done: clients then use TCP.
     */
    static LocalSocket open(int port, String epoch, Consumer<SocketChannel> serve) {
        Path dir = directory();
        if (dir == null) {
            return null;
        }
        forgetEarlier(dir, port);
        Path path = dir.resolve("brick-" + port + "-" + epoch + ".sock");
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
            LOG.info("brick on port {}: no local socket ({} is too long for one); local clients use TCP", port, path);
            return null;
        }
        try {
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                s.bind(UnixDomainSocketAddress.of(path), 256);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            LocalSocket l = new LocalSocket(path, s);
            Thread t = new Thread(() -> l.accept(serve), "brick-" + port + "-local-accept");
            t.setDaemon(true);
            t.start();
            return l;
        } catch (IOException e) {
            LOG.info("brick on port {}: no local socket at {} ({}); local clients use TCP", port, path, e.toString());
            return null;
        }
    }

    private static Path directory() {
        Path run = Path.of("/run/camelfs");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "camelfs-" + System.getProperty("user.name"));
        for (Path dir : new Path[] {run, tmp}) {
            try {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                }
                // one this user does not own, or others may enter, is not a place for a socket that skips auth.allow
                if (Files.getOwner(dir).getName().equals(System.getProperty("user.name"))) {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                    return dir;
                }
            } catch (IOException | UnsupportedOperationException e) {
                LOG.debug("no local socket directory at {}: {}", dir, e.toString());
            }
        }
        LOG.info("no directory of this user's for a brick's local socket ({} or {}); local clients use TCP", run, tmp);
        return null;
    }

    /**
     * Sockets that killed bricks left behind: any earlier one of this port (its port is ours now), and any other
     * nobody listens on any more. A socket is listened on from the moment after it is made, so one must be a few
     * seconds old before a refused connection condemns it.
     */
    private static void forgetEarlier(Path dir, int port) {
        long now = System.currentTimeMillis();
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "brick-*.sock")) {
            for (Path p : old) {
                if (p.getFileName().toString().startsWith("brick-" + port + "-")
                        || now - Files.getLastModifiedTime(p).toMillis() > 10_000 && !listenedOn(p)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot clear old local sockets in {}: {}", dir, e.toString());
        }
    }

    private static boolean listenedOn(Path p) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.configureBlocking(false);
            c.connect(UnixDomainSocketAddress.of(p));
            return true;
        } catch (IOException e) {
            // refused: nobody listens (a full backlog says "try again", which is someone listening)
            return !(e instanceof ConnectException) && !String.valueOf(e.getMessage()).contains("refused");
        }
    }

    private void accept(Consumer<SocketChannel> serve) {
        while (!closing) {
            try {
                serve.accept(server.accept());
            } catch (IOException e) {
                if (!closing && server.isOpen()) {
                    LOG.warn("local socket {}: accept failed: {}", path, e.toString());
                } else {
                    return;
                }
            }
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        closing = true;
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debug("closing local socket {}: {}", path, e.toString());
        }
    }
}
