package io.camelfs.protocol;

import com.google.protobuf.MessageLite;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.volume.BrickAddress;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One connection from a client to a brick: TCP, or a Unix-domain socket to a brick on this host. The thread that
 * sends a request also reads its reply, so a round trip costs no thread hand-off in the client.
 */
final class Link implements AutoCloseable {
    /** Most requests fit; a connection that carries larger ones (a mount's 1 MiB writes) grows its buffer. */
    private static final int SEND_BUFFER = 64 * 1024;
    /** The largest buffer a connection grows to: a 1 MiB write and its message fit, so it leaves in one send. */
    private static final int SEND_BUFFER_MAX = (1 << 20) + (32 << 10);
    private final BrickAddress address;
    /**
     * Plain TCP and Unix sockets write a direct buffer as it is; over TLS requests go to the socket's stream (which
     * copies an array into a direct buffer of its own first, 128 KiB at a time).
     */
    private final Duplex duplex;
    private final boolean tls;
    private final DataInputStream in;
    private final OutputStream out;
    /** Guards sendBuffer and the order of requests on the socket. */
    private final Object sending = new Object();
    /** Where a request is encoded before its one write: direct for the channel, an array for a stream. */
    private ByteBuffer sendBuffer;
    /** Whether the brick has sent anything on this connection yet. */
    private volatile boolean answered;
    private volatile long lastUsedNanos = System.nanoTime();

    private Link(BrickAddress address, Duplex duplex, boolean tls) throws IOException {
        this.address = address;
        this.duplex = duplex;
        this.tls = tls;
        this.in = new DataInputStream(new BufferedInputStream(duplex.in(), 64 * 1024));
        this.out = duplex.out();
        this.sendBuffer = buffer(SEND_BUFFER);
    }

    private ByteBuffer buffer(int size) {
        return duplex.writesDirect() ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    static Link connect(BrickAddress a, Duration timeout, Transport transport) {
        try {
            return over(a, new SocketDuplex(transport.connect(a, timeout)), transport.isTls());
        } catch (IOException e) {
            throw transport.isTls() ? tlsFailed(a, e) : unavailable(a, e);
        }
    }

    /** A link through the Unix socket the brick at a named in its hello (it is on this host). */
    static Link connectLocal(BrickAddress a, Path socket, Duration timeout) throws IOException {
        return over(a, UnixDuplex.connect(socket, (int) Math.max(1, timeout.toMillis()), SEND_BUFFER_MAX), false);
    }

    private static Link over(BrickAddress a, Duplex d, boolean tls) throws IOException {
        try {
            return new Link(a, d, tls);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    static BrickUnavailableException unavailable(BrickAddress a, IOException e) {
        if (e instanceof SocketTimeoutException) {
            return new BrickUnavailableException("no answer from brick " + a + " within the brick timeout", true, e);
        }
        if (e instanceof ConnectException) {
            return new BrickUnavailableException("connection refused", false, e);
        }
        if (e instanceof javax.net.ssl.SSLException) {
            // the handshake's outcome (an untrusted certificate, none at all): the JDK's reason, never key material
            return new BrickUnavailableException("TLS with brick " + a + " failed: " + e.getMessage(), false, e);
        }
        if (e instanceof EOFException) {
            return new BrickUnavailableException("brick " + a + " closed the connection", false, e);
        }
        return new BrickUnavailableException(e.getMessage() == null ? e.toString() : e.getMessage(), false, e);
    }

    void send(Method m, long id, MessageLite message) {
        try {
            synchronized (sending) {
                ByteBuffer data = duplex.writesDirect() ? Frame.separateData(message) : null;
                if (data != null && Frame.requestSize(message) - data.remaining() <= sendBuffer.capacity()) {
                    Frame.encodeAllButData(sendBuffer, m, id, (FopRequest) message);
                    duplex.write(sendBuffer, data);
                    return;
                }
                int size = Frame.requestSize(message);
                if (size > sendBuffer.capacity() && sendBuffer.capacity() < SEND_BUFFER_MAX) {
                    sendBuffer = buffer(Math.min(SEND_BUFFER_MAX, Math.max(size, 2 * sendBuffer.capacity())));
                }
                if (size > sendBuffer.capacity()) {
                    Frame.streamRequest(out, m, id, message);
                    return;
                }
                Frame.encodeRequest(sendBuffer, m, id, message);
                if (!duplex.writesDirect()) {
                    out.write(sendBuffer.array(), 0, sendBuffer.limit());
                    return;
                }
                duplex.write(sendBuffer);
            }
        } catch (IOException e) {
            close();
            throw failed(e);
        }
    }

    /**
     * A TLS brick that rejects a client's certificate does so after the client's side of the handshake is done, so
     * the client learns it as a broken connection on its first request; say what that most likely means.
     */
    private BrickUnavailableException failed(IOException e) {
        return !answered && tls ? tlsFailed(address, e) : unavailable(address, e);
    }

    private static BrickUnavailableException tlsFailed(BrickAddress a, IOException e) {
        if (e instanceof SocketException && !(e instanceof ConnectException) || e instanceof EOFException) {
            return new BrickUnavailableException("TLS with brick " + a + " failed: the brick closed the connection"
                    + " during the handshake (" + e.getMessage() + "): it did not accept this client's certificate"
                    + " (it has none, or its CA is not the brick's)", false, e);
        }
        return unavailable(a, e);
    }

    /** The next frame, waiting at most timeoutMillis (0 = no limit). */
    Frame receive(long timeoutMillis) {
        try {
            duplex.timeout((int) Math.max(0, Math.min(Integer.MAX_VALUE, timeoutMillis)));
            Frame f = Frame.read(in);
            answered = true;
            lastUsedNanos = System.nanoTime();
            return f;
        } catch (IOException e) {
            close();
            throw failed(e);
        }
    }

    boolean idleLongerThan(long nanos) {
        return System.nanoTime() - lastUsedNanos > nanos;
    }

    boolean isOpen() {
        return !duplex.isClosed();
    }

    @Override
    public void close() {
        duplex.close();
    }
}
