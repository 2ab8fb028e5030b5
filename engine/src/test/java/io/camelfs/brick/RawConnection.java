package io.camelfs.brick;

import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Method;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A plain socket to a brick that sends whatever bytes it is given, as a hostile or broken client would. */
final class RawConnection implements AutoCloseable {
    /** Length, kind, method and id: the bytes before a frame's payload. */
    static final int HEADER = 4 + 1 + 1 + 8;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawConnection(int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = socket.getOutputStream();
    }

    /** The bytes of one frame, its length field telling the truth. */
    static byte[] frame(int kind, int method, long id, byte[] payload) {
        return ByteBuffer.allocate(HEADER + payload.length).putInt(HEADER - 4 + payload.length).put((byte) kind)
                .put((byte) method).putLong(id).put(payload).array();
    }

    /** One file operation, as a client that never said hello sends it; its reply must be a reply, not an error. */
    FopReply call(FopRequest op) throws IOException {
        if (!send(frame(Frame.REQUEST, Method.CALL.wire(), 1, op.toByteArray()))) {
            throw new IOException("the brick hung up");
        }
        Frame r = reply(10_000);
        if (r == null || r.kind() != Frame.REPLY) {
            throw new IOException(r == null ? "the brick hung up" : "error frame: " + r.errorMessage());
        }
        return FopReply.parseFrom(r.payload());
    }

    /** False when the brick has already hung up (the bytes may then be lost). */
    boolean send(byte[] b) {
        try {
            out.write(b);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The next reply or error frame (upcalls are skipped); null when the brick closed the connection.
     *
     * @throws SocketTimeoutException nothing came within the timeout
     */
    Frame reply(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        for (;;) {
            Frame f;
            try {
                f = Frame.read(in);
            } catch (EOFException e) {
                return null;
            } catch (SocketException e) {
                return null; // reset: the brick closed with our bytes unread
            }
            if (f.kind() != Frame.UPCALL) {
                return f;
            }
        }
    }

    /** Whether the brick closes the connection within the timeout (anything it still sends is skipped). */
    boolean closedByBrick(int timeoutMillis) throws IOException {
        long end = System.currentTimeMillis() + timeoutMillis;
        try {
            while (System.currentTimeMillis() < end) {
                socket.setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
        return false;
    }

    /** Half-close: the brick sees the end of the stream, this side can still read. */
    void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException ignored) {
            // already closed: the brick sees the end either way
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
            // gone either way
        }
    }
}
