package io.camelfs.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.HelloReply;
import io.camelfs.protocol.v1.HelloRequest;
import io.camelfs.protocol.v1.LeaseReply;
import io.camelfs.protocol.v1.LeaseRequest;
import io.camelfs.protocol.v1.PingReply;
import io.camelfs.protocol.v1.PingRequest;
import io.camelfs.protocol.v1.Upcall;
import io.camelfs.protocol.v1.UpcallRequest;
import io.camelfs.volume.BrickAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to one brick. A control connection carries the session (Hello), heartbeats and the
 * brick's upcalls; operations go over a pool of data connections, each used by one calling thread at a time, which
 * writes its request and reads its own reply. The brick is down as soon as a connection to it fails, or when no
 * heartbeat has been answered for the brick timeout; every call has a deadline, so nothing waits on a dead brick
 * for longer than that. Heartbeats reconnect a down brick by themselves.
 */
public final class BrickClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrickClient.class);

    /** What the replicate layer hears from a brick connection. */
    public interface Events {
        void up(BrickClient brick, boolean newEpoch);

        void down(BrickClient brick, String reason);

        void recall(BrickClient brick, List<String> keys);
    }

    /** A reply on its way: get() waits for it, at most until the call's deadline. */
    public interface Pending<T> {
        /** @throws BrickUnavailableException the brick went away or did not answer in time
         *  @throws BrickRefusedException the brick answered with an error */
        T get();
    }

    /** A request in flight to this brick, with the sequence number to settle once the whole AFR op is done. */
    public record Sent(long seq, Pending<FopReply> reply) {
    }

    private interface Parser<T> {
        T parse(byte[] b) throws InvalidProtocolBufferException;
    }

    private final int index;
    private final BrickAddress address;
    private final String volume;
    private final ByteString session;
    private final String clientName;
    private final Duration timeout;
    private final Events events;
    private final Transport transport;
    /**
     * A pooled connection unused this long is dropped, not reused: half the bricks' idle-timeout, so a client never
     * sends on a connection its brick is closing.
     */
    private volatile long poolIdleNanos = Duration.ofSeconds(60).toNanos();
    private final ConcurrentLinkedDeque<Link> pool = new ConcurrentLinkedDeque<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong seq = new AtomicLong();
    private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
    private final ScheduledFuture<?> heartbeat;
    private final Object stateLock = new Object();
    private volatile Link control;
    private volatile boolean up;
    private volatile boolean closed;
    private volatile String epoch;
    /** The brick's Unix socket, while this client can open it (it is on this host): data connections use it. */
    private volatile Path localSocket;
    private volatile long lastOk;
    private volatile String downReason = "not connected yet";

    /** A client over plain TCP. */
    public BrickClient(int index, BrickAddress address, String volume, ByteString session, String clientName,
            Duration timeout, Events events, ScheduledExecutorService scheduler) {
        this(index, address, volume, session, clientName, timeout, Transport.PLAIN, events, scheduler);
    }

    public BrickClient(int index, BrickAddress address, String volume, ByteString session, String clientName,
            Duration timeout, Transport transport, Events events, ScheduledExecutorService scheduler) {
        this.transport = transport;
        this.index = index;
        this.address = address;
        this.volume = volume;
        this.session = session;
        this.clientName = clientName;
        this.timeout = timeout;
        this.events = events;
        long period = Math.max(100, Math.min(1000, timeout.toMillis() / 4));
        this.heartbeat = scheduler.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    /** Tells the client the bricks' idle-timeout (the volume option), so it drops idle connections first. */
    public void bricksCloseIdleAfter(Duration idle) {
        poolIdleNanos = idle.toNanos() / 2;
    }

    public int index() {
        return index;
    }

    public BrickAddress address() {
        return address;
    }

    public boolean isUp() {
        return up;
    }

    public String downReason() {
        return downReason;
    }

    /** Whether this client reaches the brick through its local socket: the brick is on this host. */
    public boolean onThisHost() {
        return localSocket != null;
    }

    // ------------------------------------------------------------------------------------------------ session

    /** Opens the session; blocks at most the brick timeout. Failure leaves the brick down (heartbeats retry). */
    public void connect() {
        try {
            hello();
        } catch (BrickUnavailableException | BrickRefusedException e) {
            markDown(e.getMessage());
        }
    }

    private void hello() {
        Link c = Link.connect(address, timeout, transport);
        try {
            HelloReply r = HelloReply.parseFrom(exchange(c, Method.HELLO, HelloRequest.newBuilder()
                    .setSession(session).setVolume(volume).setProtocol(Wire.PROTOCOL).setClient(clientName).build()));
            if (r.getBrickIndex() != index) {
                throw new BrickRefusedException(Frame.FAILED_PRECONDITION, "brick " + address + " says it is brick "
                        + r.getBrickIndex() + " of volume " + volume + ", expected " + index);
            }
            exchange(c, Method.SUBSCRIBE, UpcallRequest.newBuilder().setSession(session).build());
            boolean newEpoch;
            synchronized (stateLock) {
                Link old = control;
                control = c;
                if (old != null) {
                    old.close();
                }
                newEpoch = epoch != null && !epoch.equals(r.getEpoch());
                epoch = r.getEpoch();
                lastOk = System.currentTimeMillis();
                up = true;
            }
            useLocalSocket(r.getLocalSocket());
            Thread t = new Thread(() -> readControl(c), "brick-control-" + address);
            t.setDaemon(true);
            t.start();
            Path local = localSocket;
            LOG.info("brick {} of volume {} is up{}", address, volume, local == null ? "" : " (on this host: " + local
                    + ")");
            events.up(this, newEpoch);
        } catch (InvalidProtocolBufferException e) {
            c.close();
            throw new BrickRefusedException(Frame.INVALID, "brick " + address + " sent a malformed reply");
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Opens the first data connection through the socket the brick named, if it named one: only a client on the
     * brick's host, as the brick's user, can, and then calls go that way (the control connection stays on TCP).
     */
    private void useLocalSocket(String named) {
        localSocket = null;
        if (named.isEmpty() || transport.isTls()) {
            return;
        }
        Path p = Path.of(named);
        Link l = localLink(p);
        if (l != null) {
            pool.offerFirst(l);
            localSocket = p;
        }
    }

    /** A new data connection: through the brick's local socket while it works, else TCP. */
    private Link newLink() {
        Path local = localSocket;
        if (local != null) {
            Link l = localLink(local);
            if (l != null) {
                return l;
            }
            // the brick is gone (its socket with it) or overloaded: TCP says which, and the next hello decides
            localSocket = null;
        }
        return Link.connect(address, timeout, transport);
    }

    /** A connection through the socket at p, or null (logged) when this client cannot open it. */
    private Link localLink(Path p) {
        try {
            return Link.connectLocal(address, p, timeout);
        } catch (IOException | RuntimeException e) {
            LOG.debug("brick {}: local socket {} not usable here ({}): TCP", address, p, e.toString());
            return null;
        }
    }

    /** Sends a request on a link nobody else reads and returns the reply payload. */
    private byte[] exchange(Link l, Method m, MessageLite message) {
        l.send(m, ids.incrementAndGet(), message);
        Frame f = l.receive(timeout.toMillis());
        if (f.kind() == Frame.ERROR) {
            throw new BrickRefusedException(f.errorCode(), f.errorMessage());
        }
        return f.payload();
    }

    /** The control connection's reader: upcalls and heartbeat replies, until the connection ends. */
    private void readControl(Link c) {
        try {
            for (;;) {
                Frame f = c.receive(0);
                if (f.kind() == Frame.UPCALL) {
                    Upcall u = Upcall.parseFrom(f.payload());
                    if (u.getRecallCount() > 0) {
                        events.recall(this, u.getRecallList());
                    }
                } else if (f.kind() == Frame.REPLY && f.method() == Method.PING.wire()) {
                    lastOk = System.currentTimeMillis();
                    PingReply p = PingReply.parseFrom(f.payload());
                    if (epoch != null && !epoch.equals(p.getEpoch())) {
                        dropControl(c, "restarted");
                        return;
                    }
                }
            }
        } catch (BrickUnavailableException | InvalidProtocolBufferException e) {
            if (!closed && control == c) {
                dropControl(c, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.warn("control connection to {} failed", address, e);
            dropControl(c, e.toString());
        }
    }

    private void dropControl(Link c, String reason) {
        c.close();
        markDown(reason);
    }

    private void beat() {
        if (closed) {
            return;
        }
        try {
            if (!up) {
                hello();
                return;
            }
            Link c = control;
            if (c != null) {
                c.send(Method.PING, ids.incrementAndGet(), PingRequest.newBuilder().setSession(session)
                        .setSettled(settled()).build());
            }
            if (System.currentTimeMillis() - lastOk > timeout.toMillis()) {
                if (c != null) {
                    c.close();
                }
                markDown("no answer for " + timeout.toMillis() + " ms");
            }
        } catch (BrickUnavailableException | BrickRefusedException e) {
            downReason = e.getMessage();
            if (up) {
                markDown(e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.debug("heartbeat to {} failed", address, e);
        }
    }

    void markDown(String reason) {
        synchronized (stateLock) {
            downReason = reason;
            if (!up) {
                return;
            }
            up = false;
        }
        Link l;
        while ((l = pool.pollFirst()) != null) {
            l.close();
        }
        LOG.warn("brick {} of volume {} is down: {}", address, volume, reason);
        events.down(this, reason);
    }

    // ------------------------------------------------------------------------------------------------ calls

    private <T> Pending<T> request(Method m, MessageLite message, Duration deadline, Parser<T> parser) {
        Link l = pool.pollFirst();
        while (l != null && l.idleLongerThan(poolIdleNanos)) {
            l.close();
            l = pool.pollFirst();
        }
        try {
            if (l == null) {
                l = newLink();
            }
            l.send(m, ids.incrementAndGet(), message);
        } catch (BrickUnavailableException e) {
            if (l != null) {
                l.close();
            }
            markDown(e.getMessage());
            return () -> {
                throw e;
            };
        }
        Link link = l;
        long deadlineAt = System.currentTimeMillis() + deadline.toMillis();
        return () -> {
            Frame f;
            try {
                f = link.receive(Math.max(1, deadlineAt - System.currentTimeMillis()));
            } catch (BrickUnavailableException e) {
                markDown(e.getMessage());
                throw e;
            }
            if (closed) {
                link.close();
            } else {
                pool.offerFirst(link);
            }
            lastOk = System.currentTimeMillis();
            if (f.kind() == Frame.ERROR) {
                throw new BrickRefusedException(f.errorCode(), f.errorMessage());
            }
            try {
                return parser.parse(f.payload());
            } catch (InvalidProtocolBufferException e) {
                throw new BrickRefusedException(Frame.INVALID, "brick " + address + " sent a malformed reply");
            }
        };
    }

    /**
     * Sends one request. Mutating requests get a sequence number that must be {@link #settle settled} once the
     * operation reached its outcome on every brick.
     */
    public Sent send(FopRequest.Builder req, Header.Builder header, boolean mutating) {
        return send(req, header, mutating, timeout);
    }

    public Sent send(FopRequest.Builder req, Header.Builder header, boolean mutating, Duration deadline) {
        long s = 0;
        long settledUpTo;
        // numbering and the settled mark must not interleave: a number taken but not yet in flight would be
        // reported settled to the brick
        synchronized (inFlight) {
            if (mutating) {
                s = seq.incrementAndGet();
                inFlight.add(s);
            }
            settledUpTo = settled();
        }
        header.setSession(session).setSeq(s).setSettled(settledUpTo);
        return new Sent(s, request(Method.CALL, req.setHeader(header).build(), deadline, FopReply::parseFrom));
    }

    public void settle(long s) {
        if (s > 0) {
            inFlight.remove(s);
        }
    }

    /** Every op numbered at or below this has reached its outcome everywhere. */
    long settled() {
        synchronized (inFlight) {
            Iterator<Long> first = inFlight.iterator();
            return first.hasNext() ? first.next() - 1 : seq.get();
        }
    }

    public Pending<LeaseReply> acquire(List<String> keys, boolean wait, Duration deadline) {
        long waitMillis = wait ? Math.max(1, deadline.toMillis() - 200) : 0;
        return request(Method.ACQUIRE, LeaseRequest.newBuilder().setSession(session).addAllKeys(keys).setWait(wait)
                .setWaitMillis((int) waitMillis).build(), deadline.plus(timeout), LeaseReply::parseFrom);
    }

    public Pending<LeaseReply> release(List<String> keys) {
        return request(Method.RELEASE, LeaseRequest.newBuilder().setSession(session).addAllKeys(keys).build(), timeout,
                LeaseReply::parseFrom);
    }

    @Override
    public void close() {
        closed = true;
        heartbeat.cancel(false);
        Link c = control;
        if (up && c != null) {
            try {
                // goodbye: the brick releases our leases and locks now instead of after the grace period
                c.send(Method.PING, ids.incrementAndGet(), PingRequest.newBuilder().setSession(session)
                        .setSettled(settled()).setGoodbye(true).build());
            } catch (BrickUnavailableException e) {
                LOG.debug("goodbye to {} failed: {}", address, e.toString());
            }
        }
        up = false;
        if (c != null) {
            c.close();
        }
        Link l;
        while ((l = pool.pollFirst()) != null) {
            l.close();
        }
    }

    @Override
    public String toString() {
        return "brick " + index + " " + address + (up ? " up" : " down (" + downReason + ")");
    }
}
