package io.camelfs.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * One connection's bytes in both directions, whatever carries them: a TCP or TLS socket, or a Unix-domain socket to
 * a brick on the same host ({@link UnixDuplex}). Client links and brick connections are written against this.
 */
public interface Duplex extends Closeable {
    /** The incoming bytes; a read that waits longer than {@link #timeout} throws SocketTimeoutException. */
    InputStream in() throws IOException;

    OutputStream out() throws IOException;

    /** Whether {@link #write(ByteBuffer...)} takes a direct buffer to the kernel as it is (no copy on the way). */
    boolean writesDirect();

    /** Writes the buffers' remaining bytes, in order (a gathering write); only where {@link #writesDirect()}. */
    void write(ByteBuffer... buffers) throws IOException;

    /** Whether {@link #read(ByteBuffer)} reads from the kernel into a direct buffer as it is (no copy on the way). */
    boolean readsDirect();

    /**
     * Reads at least one byte into the buffer (-1 at the end of the stream), waiting as a read of {@link #in()}
     * does; only where {@link #readsDirect()}. Mixing it with in() is the caller's business: in() may buffer.
     */
    int read(ByteBuffer b) throws IOException;

    /** How long a read may wait for its first byte, in milliseconds; 0 waits as long as it takes. */
    void timeout(int millis) throws SocketException;

    boolean isClosed();

    /** The other end, for log lines. */
    String peer();

    /** Closes the connection; a read or write waiting on it in another thread ends. */
    @Override
    void close();
}
