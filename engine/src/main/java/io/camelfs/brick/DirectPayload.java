package io.camelfs.brick;

import io.camelfs.protocol.Duplex;
import io.camelfs.protocol.Frame;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Where a connection that reads into direct memory (a Unix socket) puts a large request's payload, a mount's 1 MiB
 * write, so that the data goes from the socket to pwrite without a copy in Java. Read into a byte array, each such
 * request cost a new array (zeroed by the JVM, in G1 a humongous object), the JDK's copy into it from a direct
 * buffer of its own, and a copy out of it into native memory for pwrite.
 *
 * <p>The buffers are few and shared by the process's connections, so that the memory they keep stays bounded
 * however many clients have written: a request that finds none free is read through the stream instead.
 */
final class DirectPayload {
    /** Below this a payload is read through the stream: its copies cost a few microseconds. */
    static final int MIN = 64 << 10;
    /** The process's buffers: 8 of them (each one eager frame, about 1 MiB) at most. */
    static final DirectPayload PROCESS = new DirectPayload(8);

    private final int kept;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int made;
    private long uses;

    DirectPayload(int kept) {
        this.kept = kept;
    }

    /** A buffer for a payload of size bytes, or null: too small or too large to be worth one, or none is free. */
    ByteBuffer take(int size) {
        if (size < MIN || size > Frame.EAGER) {
            return null;
        }
        synchronized (free) {
            ByteBuffer b = free.poll();
            if (b != null) {
                return b;
            }
            if (made == kept) {
                return null;
            }
            made++;
        }
        return ByteBuffer.allocateDirect(Frame.EAGER);
    }

    void give(ByteBuffer b) {
        synchronized (free) {
            free.push(b);
            uses++;
        }
    }

    /** How many requests were read into this pool's buffers (a test sees the path taken). */
    long uses() {
        synchronized (free) {
            return uses;
        }
    }

    /**
     * Reads a payload of size bytes into b, whose frame head came through stream: first the bytes the stream
     * already holds, then the rest straight from the connection. Returns b, flipped.
     */
    static ByteBuffer read(ByteBuffer b, DataInputStream stream, Duplex duplex, RequestDeadline deadline, int size)
            throws IOException {
        b.clear().limit(size);
        int ahead = Math.min(size, stream.available());
        if (ahead > 0) {
            byte[] held = new byte[ahead];
            stream.readFully(held);
            b.put(held);
        }
        while (b.hasRemaining()) {
            deadline.check();
            if (duplex.read(b) < 0) {
                throw new EOFException();
            }
        }
        return b.flip();
    }
}
