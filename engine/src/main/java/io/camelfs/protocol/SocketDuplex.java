package io.camelfs.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A TCP connection (plain, through its channel when it has one) or a TLS one, as a {@link Duplex}. */
public final class SocketDuplex implements Duplex {
    private final Socket socket;
    /** Plain TCP opened as a channel: a direct buffer goes to the kernel as it is. Null for TLS. */
    private final SocketChannel channel;

    public SocketDuplex(Socket socket) {
        this.socket = socket;
        this.channel = socket.getChannel();
    }

    @Override
    public InputStream in() throws IOException {
        return socket.getInputStream();
    }

    @Override
    public OutputStream out() throws IOException {
        return socket.getOutputStream();
    }

    @Override
    public boolean writesDirect() {
        return channel != null;
    }

    @Override
    public void write(ByteBuffer... buffers) throws IOException {
        for (long left = Gather.remaining(buffers); left > 0; ) {
            left -= Gather.once(channel, buffers);
        }
    }

    /** A blocking channel's read cannot time out, and a brick must not wait on a silent peer for ever. */
    @Override
    public boolean readsDirect() {
        return false;
    }

    @Override
    public int read(ByteBuffer b) {
        throw new UnsupportedOperationException("a TCP connection is read through its stream");
    }

    @Override
    public void timeout(int millis) throws SocketException {
        socket.setSoTimeout(millis);
    }

    @Override
    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public String peer() {
        return String.valueOf(socket.getRemoteSocketAddress());
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
