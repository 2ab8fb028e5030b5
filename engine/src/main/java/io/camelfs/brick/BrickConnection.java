package io.camelfs.brick;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.UnsafeByteOperations;
import io.camelfs.protocol.BrickRefusedException;
import io.camelfs.protocol.Duplex;
import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Method;
import io.camelfs.protocol.SocketDuplex;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.HelloRequest;
import io.camelfs.protocol.v1.LeaseRequest;
import io.camelfs.protocol.v1.PingRequest;
import io.camelfs.protocol.v1.Upcall;
import io.camelfs.protocol.v1.UpcallRequest;
import io.camelfs.protocol.v1.VolumeRequest;
import io.camelfs.tls.TlsFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to the brick, served by its own thread: read a request frame, run it, write the reply. A
 * malformed message gets an error reply and the connection goes on; a malformed frame ends the connection.
 */
final class BrickConnection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(BrickConnection.class);

    /** The connection; over TLS the secured one once the handshake is done. */
    private volatile Duplex duplex;
    /** The TCP socket a TLS handshake runs on; null for plain TCP and Unix sockets. */
    private final Socket tlsPending;
    private final BrickService service;
    private final Runnable onClose;
    /** Set by the serving thread before anything is written (after the TLS handshake, if any). */
    private volatile DataOutputStream out;
    private Sessions.Session subscribed;
    private Consumer<Upcall> sink;
    /** Why this client is not served (auth.allow / auth.reject / auth.ssl-allow), or null. */
    private String refused;
    /** null: plain TCP. */
    private final TlsPolicy tls;

    private final ConnectionLimits limits;
    private final ClientWarnings warnings;

    /** @param tls null: plain TCP or a Unix socket; else the TLS handshake runs on duplex's socket first */
    BrickConnection(Duplex duplex, Socket tcp, BrickService service, Runnable onClose, String refused,
            TlsPolicy tls, ConnectionLimits limits, ClientWarnings warnings) {
        this.limits = limits;
        this.warnings = warnings;
        this.refused = refused;
        this.tls = tls;
        this.duplex = duplex;
        this.tlsPending = tls == null ? null : tcp;
        this.service = service;
        this.onClose = onClose;
    }

    @Override
    public void run() {
        try (Duplex plain = duplex) {
            if (tlsPending != null) {
                Socket secured = secure(tlsPending);
                if (secured == null) {
                    return;
                }
                duplex = new SocketDuplex(secured);
            }
            Duplex d = duplex;
            out = new DataOutputStream(new BufferedOutputStream(d.out(), 64 * 1024));
            RequestDeadline deadline = new RequestDeadline(d.in(), limits.wholeRequestNanos());
            BufferedInputStream buffered = new BufferedInputStream(deadline, 64 * 1024);
            DataInputStream in = new DataInputStream(buffered);
            d.timeout((int) limits.silence().toMillis());
            if (refused != null) {
                // the client's first request learns why, then the connection ends: nothing is served
                write(Frame.error(Frame.read(in), Frame.FAILED_PRECONDITION, refused));
                return;
            }
            for (;;) {
                if (!awaitRequest(buffered)) {
                    LOG.debug("closing connection from {}: idle for {}", duplex.peer(),
                            limits.idle());
                    return;
                }
                deadline.begin();
                int share;
                Frame.Head head;
                Frame f = null;
                ByteBuffer pooled = null;
                try {
                    int length = peekLength(in, buffered);
                    if (length > limits.maxRequest()) {
                        warnings.warn("closing connection from {}: a request of {} bytes (max-request-size {})",
                                duplex.peer(), length, limits.maxRequest());
                        return;
                    }
                    share = ConnectionLimits.share(length);
                    if (!limits.reserve(share)) {
                        warnings.warn("closing connection from {}: its {} KiB request waited too long for the brick's"
                                + " request memory", duplex.peer(), share);
                        return;
                    }
                    try {
                        head = Frame.readHead(in);
                        pooled = d.readsDirect() ? DirectPayload.PROCESS.take(head.payloadSize()) : null;
                        if (pooled != null) {
                            DirectPayload.read(pooled, in, d, deadline, head.payloadSize());
                        } else {
                            f = head.with(Frame.readPayload(in, head.payloadSize()));
                        }
                    } catch (IOException | RuntimeException e) {
                        limits.release(share);
                        if (pooled != null) {
                            DirectPayload.PROCESS.give(pooled);
                        }
                        throw e;
                    }
                } catch (SocketTimeoutException e) {
                    warnings.warn("closing connection from {}: a request stalled ({})",
                            duplex.peer(),
                            e.getMessage() == null ? "no byte for " + limits.silence() : e.getMessage());
                    return;
                }
                deadline.end();
                try {
                    write(pooled != null ? handleInPlace(head, pooled) : handle(f, null));
                } finally {
                    limits.release(share);
                    if (pooled != null) {
                        DirectPayload.PROCESS.give(pooled);
                    }
                }
            }
        } catch (EOFException | SocketException e) {
            // the client hung up (or the brick is stopping)
        } catch (Frame.ProtocolException e) {
            warnings.warn("closing connection from {}: {}", duplex.peer(), e.getMessage());
        } catch (IOException e) {
            LOG.debug("connection from {} failed: {}", duplex.peer(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (subscribed != null) {
                service.unsubscribe(subscribed, sink);
            }
            onClose.run();
        }
    }

    /** The length field of the next frame, left in the stream for Frame.read (in reads through buffered). */
    private static int peekLength(DataInputStream in, BufferedInputStream buffered) throws IOException {
        buffered.mark(4);
        int length = in.readInt();
        buffered.reset();
        return length;
    }

    /** Waits for the first byte of the next request, without taking it: false once the connection was idle too long. */
    private boolean awaitRequest(BufferedInputStream in) throws IOException {
        long since = System.nanoTime();
        for (;;) {
            in.mark(1);
            try {
                if (in.read() < 0) {
                    throw new EOFException();
                }
                in.reset();
                return true;
            } catch (SocketTimeoutException e) {
                if (System.nanoTime() - since >= limits.idle().toNanos()) {
                    return false;
                }
            }
        }
    }

    /**
     * The TLS handshake, bounded by the brick timeout so a silent client cannot hold a thread, then the client's
     * certificate subject against auth.ssl-allow (a certificate the CA did not sign fails the handshake). A client
     * that speaks the plain protocol (its first byte is not a TLS handshake record's) is told so in its own terms.
     * Returns the secured socket, or null when the connection ends here.
     */
    private Socket secure(Socket plain) throws IOException {
        plain.setSoTimeout((int) tls.handshakeTimeout().toMillis());
        InputStream raw = plain.getInputStream();
        int first = raw.read();
        if (first < 0) {
            return null;
        }
        byte[] consumed = {(byte) first};
        if (first != TLS_HANDSHAKE_RECORD) {
            Frame f = Frame.read(new DataInputStream(new SequenceInputStream(new ByteArrayInputStream(consumed), raw)));
            DataOutputStream o = new DataOutputStream(plain.getOutputStream());
            Frame.error(f, Frame.FAILED_PRECONDITION, "brick " + tls.brick() + " speaks TLS only (volume option tls):"
                    + " connect with a certificate its CA signed").write(o);
            warnings.warn("refusing {}: a plain TCP client on a TLS brick", plain.getRemoteSocketAddress());
            return null;
        }
        SSLSocket ssl = (SSLSocket) tls.context().getSocketFactory().createSocket(plain,
                new ByteArrayInputStream(consumed), true);
        ssl.setUseClientMode(false);
        ssl.setNeedClientAuth(true);
        ssl.setEnabledProtocols(new String[] {TlsFiles.PROTOCOL});
        try {
            ssl.startHandshake();
        } catch (SSLException | SocketTimeoutException e) {
            warnings.warn("TLS handshake from {} failed: {}", plain.getRemoteSocketAddress(), e.getMessage());
            ssl.close();
            return null;
        }
        ssl.setSoTimeout(0);
        X500Principal subject = (X500Principal) ssl.getSession().getPeerPrincipal();
        if (refused == null && !tls.allow().allows(subject)) {
            refused = "certificate " + subject.getName(X500Principal.RFC2253) + " is not in auth.ssl-allow ("
                    + tls.allow() + ")";
            warnings.warn("refusing {}: {}", plain.getRemoteSocketAddress(), refused);
        }
        return ssl;
    }

    /** The first byte of a TLS record carrying a handshake (ClientHello); a brick frame starts with 0x00. */
    private static final int TLS_HANDSHAKE_RECORD = 0x16;

    private void write(Frame f) throws IOException {
        synchronized (out) {
            f.write(out);
        }
    }

    private static Frame reply(Frame req, MessageLite m) {
        return new Frame(Frame.REPLY, req.method(), req.id(), m.toByteArray());
    }

    /**
     * A large request read into a direct buffer (see {@link DirectPayload}). A write is served from there, its data
     * aliased, not copied (the write is done before the buffer is given back). Any other request gets an array of
     * its own first, as requests read through the stream do: its handler may keep bytes of it past the call.
     */
    private Frame handleInPlace(Frame.Head head, ByteBuffer payload) throws InterruptedException {
        if (head.kind() == Frame.REQUEST && head.method() == Method.CALL.wire()) {
            try {
                CodedInputStream aliased = UnsafeByteOperations.unsafeWrap(payload.duplicate()).newCodedInput();
                aliased.enableAliasing(true);
                FopRequest req = FopRequest.parser().parseFrom(aliased);
                if (req.getOpCase() == FopRequest.OpCase.WRITE) {
                    return handle(head.with(NO_PAYLOAD), req);
                }
            } catch (InvalidProtocolBufferException e) {
                // reported by the ordinary path below, in its words
            }
        }
        byte[] copy = new byte[payload.remaining()];
        payload.get(copy);
        return handle(head.with(copy), null);
    }

    private static final byte[] NO_PAYLOAD = new byte[0];

    /** @param parsed f's CALL request when it was parsed already, else null */
    private Frame handle(Frame f, FopRequest parsed) throws InterruptedException {
        Method m = Method.of(f.method());
        if (f.kind() != Frame.REQUEST || m == null) {
            return Frame.error(f, Frame.INVALID, "not a brick protocol request (kind " + f.kind() + ", method "
                    + f.method() + ")");
        }
        try {
            switch (m) {
                case HELLO:
                    return reply(f, service.hello(HelloRequest.parseFrom(f.payload())));
                case VOLUME:
                    return reply(f, service.volume(VolumeRequest.parseFrom(f.payload())));
                case PING:
                    return reply(f, service.ping(PingRequest.parseFrom(f.payload())));
                case CALL:
                    return reply(f, service.call(parsed != null ? parsed
                            : FopRequest.parser().parseFrom(f.aliasedPayload())));
                case ACQUIRE:
                    return reply(f, service.acquire(LeaseRequest.parseFrom(f.payload())));
                case RELEASE:
                    return reply(f, service.release(LeaseRequest.parseFrom(f.payload())));
                case SUBSCRIBE: {
                    UpcallRequest req = UpcallRequest.parseFrom(f.payload());
                    if (subscribed != null) {
                        // one connection carries one session's upcalls: the earlier session's end here, or it would
                        // stay connected through this connection (never expiring) after the connection closed
                        service.unsubscribe(subscribed, sink);
                    }
                    sink = u -> {
                        try {
                            write(new Frame(Frame.UPCALL, Method.SUBSCRIBE.wire(), 0, u.toByteArray()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    };
                    subscribed = service.subscribe(req, sink);
                    return reply(f, Upcall.getDefaultInstance());
                }
                default:
                    return Frame.error(f, Frame.INVALID, "unknown method " + f.method());
            }
        } catch (InvalidProtocolBufferException e) {
            return Frame.error(f, Frame.INVALID, "malformed " + m + " request: " + e.getMessage());
        } catch (BrickRefusedException e) {
            return Frame.error(f, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("{} failed on connection from {}", m, duplex.peer(), e);
            return Frame.error(f, Frame.INTERNAL, e.toString());
        }
    }

    void close() {
        duplex.close(); // ends the serving thread
    }
}
