package io.camelfs.brick;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * The bytes of one request must all arrive within a limit once its first byte has: a client that trickles a request
 * (slowloris) would otherwise hold a connection thread for as long as it likes. Between requests there is no limit
 * here; the idle timeout covers that.
 */
final class RequestDeadline extends FilterInputStream {
    private final long limitNanos;
    private long startedNanos;

    RequestDeadline(InputStream in, long limitNanos) {
        super(in);
        this.limitNanos = limitNanos;
    }

    /** A request has begun: its remaining bytes count against the limit from now. */
    void begin() {
        startedNanos = System.nanoTime();
    }

    void end() {
        startedNanos = 0;
    }

    void check() throws SocketTimeoutException {
        if (startedNanos != 0 && System.nanoTime() - startedNanos > limitNanos) {
            throw new SocketTimeoutException("request not complete after " + limitNanos / 1_000_000_000L + " s");
        }
    }

    @Override
    public int read() throws IOException {
        check();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        check();
        return super.read(b, off, len);
    }
}
