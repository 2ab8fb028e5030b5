package io.camelfs.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A gathering write's steps on a socket channel, as the TCP and the Unix-domain {@link Duplex} take them. */
final class Gather {
    private Gather() {
    }

    /** The bytes left to write in all the buffers. */
    static long remaining(ByteBuffer[] buffers) {
        long left = 0;
        for (ByteBuffer b : buffers) {
            left += b.remaining();
        }
        return left;
    }

    /**
     * One system call's worth: write(2) for a single buffer (nearly every frame, as before gathering writes existed),
     * writev(2) for more. Returns the bytes written (0 when a non-blocking channel's buffer is full).
     */
    static long once(SocketChannel channel, ByteBuffer[] buffers) throws IOException {
        return buffers.length == 1 ? channel.write(buffers[0]) : channel.write(buffers);
    }
}
