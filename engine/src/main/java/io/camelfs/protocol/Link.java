package io.camelfs.protocol;

import com.google.protobuf.MessageLite;
import io.camelfs.volume.BrickAddress;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One TCP connection from a client to a brick. The thread that sends a request also reads its reply, so a round
 * trip costs no thread hand-off in the client.
 */
final class Link implements AutoCloseable {
    /** Most requests fit; a connection that carries larger ones (a mount's 1 MiB writes) grows its buffer. */
    private static final int SEND_BUFFER = 64 * 1024;
    /** The largest buffer a connection grows to: a 1 MiB write and its message fit, so it leaves in one send. */
    private static final int SEND_BUFFER_MAX = (1 << 20) + (32 << 10);
    private final BrickAddress address;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /**
     * Plain TCP: the socket's channel, which writes a direct buffer as it is; over TLS null, and requests go to the
     * socket's stream (which copies an array into a direct buffer of its own first, 128 KiB at a time).
     */
    private final SocketChannel channel;
    /** Guards sendBuffer and the order of requests on the socket. */
    private final Object sending = new Object();
    /** Where a request is encoded before its one write: direct for the channel, an array for a stream. */
    private ByteBuffer sendBuffer;
    /** Whether the brick has sent anything on this connection yet. */
    private volatile boolean answered;
    private volatile long lastUsedNanos = System.nanoTime();

    private Link(BrickAddress address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = socket.getOutputStream();
        this.channel = socket.getChannel();
        this.sendBuffer = buffer(SEND_BUFFER);
    }

    private ByteBuffer buffer(int size) {
        return channel != null ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    static Link connect(BrickAddress a, Duration timeout, Transport transport) {
        try {
            Socket s = transport.connect(a, timeout);
            try {
                return new Link(a, s);
            } catch (IOException e) {
                s.close();
                throw e;
            }
        } catch (IOException e) {
            throw transport.isTls() ? tlsFailed(a, e) : unavailable(a, e);
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
                int size = Frame.requestSize(message);
                if (size > sendBuffer.capacity() && sendBuffer.capacity() < SEND_BUFFER_MAX) {
                    sendBuffer = buffer(Math.min(SEND_BUFFER_MAX, Math.max(size, 2 * sendBuffer.capacity())));
                }
                if (size > sendBuffer.capacity()) {
                    Frame.streamRequest(out, m, id, message);
                    return;
                }
                Frame.encodeRequest(sendBuffer, m, id, message);
                if (channel == null) {
                    out.write(sendBuffer.array(), 0, sendBuffer.limit());
                    return;
                }
                while (sendBuffer.hasRemaining()) {
                    channel.write(sendBuffer);
                }
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
        return !answered && socket instanceof javax.net.ssl.SSLSocket ? tlsFailed(address, e) : unavailable(address, e);
    }

    private static BrickUnavailableException tlsFailed(BrickAddress a, IOException e) {
        if (e instanceof java.net.SocketException && !(e instanceof ConnectException) || e instanceof EOFException) {
            return new BrickUnavailableException("TLS with brick " + a + " failed: the brick closed the connection"
                    + " during the handshake (" + e.getMessage() + "): it did not accept this client's certificate"
                    + " (it has none, or its CA is not the brick's)", false, e);
        }
        return unavailable(a, e);
    }

    /** The next frame, waiting at most timeoutMillis (0 = no limit). */
    Frame receive(long timeoutMillis) {
        try {
            socket.setSoTimeout((int) Math.max(0, Math.min(Integer.MAX_VALUE, timeoutMillis)));
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
