package io.camelfs.camel.gluster;

import io.camelfs.fop.FileOps;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** A volume file read chunk by chunk as the stream is consumed: a large file never sits whole in memory. */
final class GlusterInputStream extends InputStream {
    private final FileOps ops;
    private final String path;
    private final int chunk;
    private ByteBuffer buf = ByteBuffer.allocate(0);
    private long offset;
    private boolean eof;

    GlusterInputStream(FileOps ops, String path, int chunk) {
        this.ops = ops;
        this.path = path;
        this.chunk = chunk;
    }

    private boolean fill() {
        if (buf.hasRemaining()) {
            return true;
        }
        if (eof) {
            return false;
        }
        buf = ops.read(path, offset, chunk);
        int n = buf.remaining();
        offset += n;
        if (n < chunk) {
            eof = true;
        }
        return n > 0;
    }

    @Override
    public int read() {
        return fill() ? buf.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, buf.remaining());
        buf.get(b, off, n);
        return n;
    }
}
