package io.camelfs.protocol;

import io.camelfs.volume.BrickAddress;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One TCP connection from a client to a brick. The thread that sends a request also reads its reply, so a round
 * trip costs no thread hand-off in the client.
 */
final class Link implements AutoCloseable {
    private final BrickAddress address;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private Link(BrickAddress address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
    }

    static Link connect(BrickAddress a, Duration timeout) {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(a.host(), a.port()), (int) Math.max(1, timeout.toMillis()));
            return new Link(a, s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            throw unavailable(a, e);
        }
    }

    static BrickUnavailableException unavailable(BrickAddress a, IOException e) {
        if (e instanceof SocketTimeoutException) {
            return new BrickUnavailableException("no answer from brick " + a + " within the brick timeout", true, e);
        }
        if (e instanceof ConnectException) {
            return new BrickUnavailableException("connection refused", false, e);
        }
        if (e instanceof EOFException) {
            return new BrickUnavailableException("brick " + a + " closed the connection", false, e);
        }
        return new BrickUnavailableException(e.getMessage() == null ? e.toString() : e.getMessage(), false, e);
    }

    void send(Frame f) {
        try {
            synchronized (out) {
                f.write(out);
            }
        } catch (IOException e) {
            close();
            throw unavailable(address, e);
        }
    }

    /** The next frame, waiting at most timeoutMillis (0 = no limit). */
    Frame receive(long timeoutMillis) {
        try {
            socket.setSoTimeout((int) Math.max(0, Math.min(Integer.MAX_VALUE, timeoutMillis)));
            return Frame.read(in);
        } catch (IOException e) {
            close();
            throw unavailable(address, e);
        }
    }

    boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
    }
}
