package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.afr.Replicate;
import io.camelfs.testing.Bytes;
import io.camelfs.testing.LocalVolume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients on a brick's host reach it through its Unix socket, named in the hello over TCP; where they cannot open it
 * they use TCP, and a brick without one (option off, TLS) names none.
 */
class LocalSocketTest {
    @TempDir
    Path tmp;

    /** Connections the brick accepted on its local socket: /proc/net/unix lists each under the socket's path. */
    private static long accepted(Path socket) throws IOException {
        return Files.readAllLines(Path.of("/proc/net/unix")).stream()
                .filter(l -> l.endsWith(" " + socket)).count() - 1; // the listening socket itself
    }

    @Test
    void aClientOnTheBricksHostCallsThroughTheLocalSocket() throws Exception {
        Path socket;
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of()); Replicate c = v.client()) {
            LocalVolume.awaitUp(c, 2, 10_000);
            socket = Path.of(v.server(0).localSocket());
            assertTrue(socket.getFileName().toString().startsWith("brick-" + v.spec.bricks().get(0).port() + "-"
                    + v.server(0).epoch()), socket.toString());
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(socket.getParent())));
            c.put("a.txt", 0644, Bytes.of("through the local socket"));
            assertEquals("through the local socket", Files.readString(v.file(1, "a.txt")));
            assertTrue(accepted(socket) >= 1, "calls went through " + socket);
        }
        assertFalse(Files.exists(socket), "a stopped brick removes its socket");
    }

    @Test
    void aClientThatCannotOpenTheSocketUsesTcp() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of())) {
            Path socket = Path.of(v.server(0).localSocket());
            // as a client on another host (or in another container) finds it: not there
            Files.delete(socket);
            try (Replicate c = v.client()) {
                LocalVolume.awaitUp(c, 2, 10_000);
                c.put("b.txt", 0644, Bytes.of("over TCP"));
                assertEquals("over TCP", Files.readString(v.file(0, "b.txt")));
                assertEquals("over TCP", java.nio.charset.StandardCharsets.UTF_8.decode(c.read("b.txt", 0, 100)).toString());
            }
        }
    }

    @Test
    void readsGoToTheBrickOnThisHost() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of())) {
            // the client as a mount is, in a process of its own: neither brick is in its JVM
            LocalBricks.unregister(v.server(0));
            LocalBricks.unregister(v.server(1));
            Files.delete(Path.of(v.server(0).localSocket())); // brick 0 is "on another host" for this client
            try (Replicate c = v.client()) {
                LocalVolume.awaitUp(c, 2, 10_000);
                for (int i = 0; i < 20; i++) {
                    c.put("r" + i, 0644, Bytes.of("data of file " + i));
                }
                long before0 = v.server(0).bytesRead();
                long before1 = v.server(1).bytesRead();
                for (int i = 0; i < 20; i++) {
                    assertEquals("data of file " + i, java.nio.charset.StandardCharsets.UTF_8.decode(
                            c.read("r" + i, 0, 100)).toString());
                }
                assertEquals(0, v.server(0).bytesRead() - before0, "the other host's brick served no data");
                assertTrue(v.server(1).bytesRead() - before1 >= 20 * "data of file 0".length());
            }
        }
    }

    @Test
    void withTheOptionOffBricksListenOnTcpOnly() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of("local-socket", "off")); Replicate c = v.client()) {
            assertEquals("", v.server(0).localSocket());
            LocalVolume.awaitUp(c, 2, 10_000);
            c.put("c.txt", 0644, Bytes.of("tcp"));
            assertEquals("tcp", Files.readString(v.file(1, "c.txt")));
        }
    }

    @Test
    void aStartingBrickClearsSocketsKilledBricksLeft() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, "web", 2, Map.of())) {
            Path dir = Path.of(v.server(0).localSocket()).getParent();
            int port = v.spec.bricks().get(0).port();
            Path stale = dir.resolve("brick-" + port + "-left-by-a-kill.sock");
            Files.writeString(stale, "");
            // another port's socket whose brick was killed, and one whose brick still listens, both a minute old
            Path dead = dir.resolve("brick-1-killed.sock");
            java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)
                    .bind(java.net.UnixDomainSocketAddress.of(dead)).close(); // closing leaves the file
            Path live = dir.resolve("brick-2-alive.sock");
            try (var listening = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                listening.bind(java.net.UnixDomainSocketAddress.of(live));
                var minuteAgo = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000);
                Files.setLastModifiedTime(dead, minuteAgo);
                Files.setLastModifiedTime(live, minuteAgo);
                v.stop(0);
                v.start(0);
                assertFalse(Files.exists(stale));
                assertFalse(Files.exists(dead), "nobody listened on it");
                assertTrue(Files.exists(live), "its brick is alive");
                assertTrue(Files.exists(Path.of(v.server(0).localSocket())));
            } finally {
                Files.deleteIfExists(live);
            }
        }
    }
}
