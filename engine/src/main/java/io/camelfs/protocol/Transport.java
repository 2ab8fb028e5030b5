package io.camelfs.protocol;

import io.camelfs.tls.TlsFiles;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.VolumeOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** How a client reaches bricks: plain TCP, or mutual TLS with one SSLContext (built once, shared by connections). */
public final class Transport {
    public static final Transport PLAIN = new Transport(null, "plain TCP");

    private final SSLContext tls;
    private final String description;

    private Transport(SSLContext tls, String description) {
        this.tls = tls;
        this.description = description;
    }

    public static Transport tls(TlsFiles files) {
        return new Transport(files.context(), "TLS (" + files.cert() + ")");
    }

    /** What a volume's options ask for: its TLS files, or plain TCP. */
    public static Transport of(VolumeOptions options) {
        TlsFiles f = options.tlsFiles();
        return f == null ? PLAIN : tls(f);
    }

    public boolean isTls() {
        return tls != null;
    }

    /**
     * A connected socket; for TLS the handshake is done, within the timeout, before it is returned. A plain one has
     * a channel (see {@code Link}), so a request in a direct buffer reaches the kernel without another copy.
     */
    Socket connect(BrickAddress a, Duration timeout) throws IOException {
        Socket s = tls == null ? SocketChannel.open().socket() : new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            int millis = (int) Math.max(1, timeout.toMillis());
            s.connect(new InetSocketAddress(a.host(), a.port()), millis);
            if (tls == null) {
                return s;
            }
            SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, a.host(), a.port(), true);
            ssl.setEnabledProtocols(new String[] {TlsFiles.PROTOCOL});
            ssl.setSoTimeout(millis);
            ssl.startHandshake();
            ssl.setSoTimeout(0);
            return ssl;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
