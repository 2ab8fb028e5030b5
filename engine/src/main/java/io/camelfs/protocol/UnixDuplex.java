package io.camelfs.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A Unix-domain socket connection as a {@link Duplex}: how a client reaches a brick on its own host. A round trip
 * through one costs each end about 15 us less CPU than through loopback TCP (no TCP/IP stack on either side). The
 * channel is non-blocking and a read or write that would block waits in a selector, because a blocking channel's
 * read cannot time out, and a brick that stopped answering must not hold its client longer than the brick timeout.
 */
public final class UnixDuplex implements Duplex {
    private final SocketChannel channel;
    private final String peer;
    private final Selector readable;
    /** Made by the first write that finds the socket's buffer full (under writing). */
    private volatile Selector writable;
    private final Object writing = new Object();
    private volatile int timeoutMillis;
    private final InputStream in = new In();
    private final OutputStream out = new Out();

    private UnixDuplex(SocketChannel channel, String peer) throws IOException {
        this.channel = channel;
        this.peer = peer;
        channel.configureBlocking(false);
        this.readable = Selector.open();
        try {
            channel.register(readable, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            readable.close();
            throw e;
        }
    }

    /**
     * Connects to the socket at path, waiting at most timeoutMillis for a brick too busy to take it. A socket that is
     * not there, or nobody listens on, fails at once.
     */
    public static UnixDuplex connect(Path path, int timeoutMillis) throws IOException {
        return connect(path, timeoutMillis, 0);
    }

    /**
     * As {@link #connect(Path, int)}, with a send buffer of at least sendBuffer bytes (the kernel allows up to
     * net.core.wmem_max) when that is more than the default. Why: a Unix socket's default (about 208 KiB) holds a fifth
     * of a mount's 1 MiB write, so the sender waited for the brick to read each piece, and a replicated write reached
     * the second brick only once the first had taken nearly all of it; a whole request in the buffer lets every brick
     * read its copy at once.
     */
    public static UnixDuplex connect(Path path, int timeoutMillis, int sendBuffer) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            if (sendBuffer > c.getOption(StandardSocketOptions.SO_SNDBUF)) {
                c.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer);
            }
            c.configureBlocking(false);
            if (!c.connect(UnixDomainSocketAddress.of(path))) {
                try (Selector s = Selector.open()) {
                    c.register(s, SelectionKey.OP_CONNECT);
                    if (s.select(Math.max(1, timeoutMillis)) == 0) {
                        throw new SocketTimeoutException("no connection to " + path + " within " + timeoutMillis
                                + " ms");
                    }
                }
                c.finishConnect();
            }
            return new UnixDuplex(c, "unix:" + path);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** A connection a listening socket accepted. */
    public static UnixDuplex accepted(SocketChannel c, String peer) throws IOException {
        try {
            return new UnixDuplex(c, peer);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public boolean writesDirect() {
        return true;
    }

    @Override
    public void write(ByteBuffer... buffers) throws IOException {
        long left = Gather.remaining(buffers);
        synchronized (writing) {
            try {
                while (left > 0) {
                    long n = Gather.once(channel, buffers);
                    left -= n;
                    if (n == 0) {
                        Selector s = writable;
                        if (s == null) {
                            s = Selector.open();
                            writable = s;
                            channel.register(s, SelectionKey.OP_WRITE); // throws once close() has run
                        }
                        s.select(); // as a blocking socket's write: no time limit, but close() ends it
                        s.selectedKeys().clear();
                    }
                }
            } catch (ClosedChannelException | ClosedSelectorException e) {
                closeQuietly(writable); // one a write made after close() ran
                throw closed();
            }
        }
    }

    @Override
    public boolean readsDirect() {
        return true;
    }

    @Override
    public int read(ByteBuffer into) throws IOException {
        if (!into.hasRemaining()) {
            return 0;
        }
        int limit = timeoutMillis;
        long deadline = limit == 0 ? 0 : System.nanoTime() + limit * 1_000_000L;
        try {
            for (;;) {
                int n = channel.read(into);
                if (n != 0) {
                    return n;
                }
                long left = deadline == 0 ? 0 : (deadline - System.nanoTime()) / 1_000_000L;
                if (deadline != 0 && left <= 0) {
                    throw new SocketTimeoutException("Read timed out");
                }
                readable.select(left); // 0: no limit
                readable.selectedKeys().clear();
            }
        } catch (ClosedChannelException | ClosedSelectorException e) {
            throw closed();
        }
    }

    @Override
    public void timeout(int millis) {
        timeoutMillis = Math.max(0, millis);
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
        // closing a selector wakes a thread waiting in it, and frees the channel's registration (and so its socket)
        closeQuietly(readable);
        closeQuietly(writable);
    }

    private static void closeQuietly(Selector s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    private static SocketException closed() {
        return new SocketException("Socket closed");
    }

    private final class In extends InputStream {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : UnixDuplex.this.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            UnixDuplex.this.write(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }
}
