package io.camelfs.brick;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.camelfs.protocol.BrickRefusedException;
import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Method;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.HelloRequest;
import io.camelfs.protocol.v1.LeaseRequest;
import io.camelfs.protocol.v1.PingRequest;
import io.camelfs.protocol.v1.Upcall;
import io.camelfs.protocol.v1.UpcallRequest;
import io.camelfs.protocol.v1.VolumeRequest;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to the brick, served by its own thread: read a request frame, run it, write the reply. A
 * malformed message gets an error reply and the connection goes on; a malformed frame ends the connection.
 */
final class BrickConnection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(BrickConnection.class);

    private final Socket socket;
    private final BrickService service;
    private final Runnable onClose;
    private final DataOutputStream out;
    private Sessions.Session subscribed;
    private Consumer<Upcall> sink;
    /** Why this client is not served (auth.allow / auth.reject), or null. */
    private final String refused;

    BrickConnection(Socket socket, BrickService service, Runnable onClose, String refused) throws IOException {
        this.refused = refused;
        this.socket = socket;
        this.service = service;
        this.onClose = onClose;
        socket.setTcpNoDelay(true);
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
    }

    @Override
    public void run() {
        try (socket) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            if (refused != null) {
                // the client's first request learns why, then the connection ends: nothing is served
                write(Frame.error(Frame.read(in), Frame.FAILED_PRECONDITION, refused));
                return;
            }
            for (;;) {
                Frame f = Frame.read(in);
                write(handle(f));
            }
        } catch (EOFException | SocketException e) {
            // the client hung up (or the brick is stopping)
        } catch (Frame.ProtocolException e) {
            LOG.warn("closing connection from {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (IOException e) {
            LOG.debug("connection from {} failed: {}", socket.getRemoteSocketAddress(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (subscribed != null) {
                service.unsubscribe(subscribed, sink);
            }
            onClose.run();
        }
    }

    private void write(Frame f) throws IOException {
        synchronized (out) {
            f.write(out);
        }
    }

    private static Frame reply(Frame req, MessageLite m) {
        return new Frame(Frame.REPLY, req.method(), req.id(), m.toByteArray());
    }

    private Frame handle(Frame f) throws InterruptedException {
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
                    return reply(f, service.call(FopRequest.parseFrom(f.payload())));
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
                            throw new java.io.UncheckedIOException(e);
                        }
                    };
                    subscribed = service.subscribe(req, sink);
                    return reply(f, io.camelfs.protocol.v1.Upcall.getDefaultInstance());
                }
                default:
                    return Frame.error(f, Frame.INVALID, "unknown method " + f.method());
            }
        } catch (InvalidProtocolBufferException e) {
            return Frame.error(f, Frame.INVALID, "malformed " + m + " request: " + e.getMessage());
        } catch (BrickRefusedException e) {
            return Frame.error(f, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("{} failed on connection from {}", m, socket.getRemoteSocketAddress(), e);
            return Frame.error(f, Frame.INTERNAL, e.toString());
        }
    }

    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing ends the serving thread
        }
    }
}
