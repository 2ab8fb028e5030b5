package io.camelfs.protocol;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.camelfs.protocol.v1.BrickGrpc;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.HelloReply;
import io.camelfs.protocol.v1.HelloRequest;
import io.camelfs.protocol.v1.LeaseReply;
import io.camelfs.protocol.v1.LeaseRequest;
import io.camelfs.protocol.v1.PingRequest;
import io.camelfs.protocol.v1.Upcall;
import io.camelfs.protocol.v1.UpcallRequest;
import io.camelfs.volume.BrickAddress;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's connection to one brick. It keeps the session (opened with Hello, resumed after reconnects), numbers
 * mutating requests and reports the settled watermark, and decides whether the brick is up: a brick is down as soon
 * as a call fails for lack of a connection, or when no heartbeat has succeeded for the brick timeout. Every call has
 * a deadline, so nothing waits on a dead brick for longer than that.
 */
public final class BrickClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrickClient.class);

    /** What the replicate layer hears from a brick connection. */
    public interface Events {
        void up(BrickClient brick, boolean newEpoch);

        void down(BrickClient brick, String reason);

        void recall(BrickClient brick, List<String> keys);
    }

    private final int index;
    private final BrickAddress address;
    private final String volume;
    private final ByteString session;
    private final String clientName;
    private final Duration timeout;
    private final Events events;
    private final ManagedChannel channel;
    private final BrickGrpc.BrickFutureStub futures;
    private final BrickGrpc.BrickStub async;
    private final AtomicLong seq = new AtomicLong();
    private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
    private final ScheduledFuture<?> heartbeat;
    private volatile boolean up;
    private volatile boolean closed;
    private volatile String epoch;
    private volatile long lastOk;
    private volatile String downReason = "not connected yet";
    private final Object stateLock = new Object();

    public BrickClient(int index, BrickAddress address, String volume, ByteString session, String clientName,
            Duration timeout, Events events, ScheduledExecutorService scheduler) {
        this.index = index;
        this.address = address;
        this.volume = volume;
        this.session = session;
        this.clientName = clientName;
        this.timeout = timeout;
        this.events = events;
        this.channel = NettyChannelBuilder.forAddress(address.host(), address.port())
                .usePlaintext()
                .directExecutor()
                .maxInboundMessageSize(64 << 20)
                .keepAliveTime(Math.max(1, timeout.toSeconds()), TimeUnit.SECONDS)
                .keepAliveTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveWithoutCalls(true)
                .build();
        this.futures = BrickGrpc.newFutureStub(channel);
        this.async = BrickGrpc.newStub(channel);
        long period = Math.max(100, Math.min(1000, timeout.toMillis() / 4));
        this.heartbeat = scheduler.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
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

    /** Opens the session; blocks at most the brick timeout. Failure leaves the brick down (heartbeats retry). */
    public void connect() {
        try {
            hello();
        } catch (StatusRuntimeException e) {
            markDown(describe(e));
        }
    }

    private void hello() {
        HelloReply r = BrickGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .hello(HelloRequest.newBuilder().setSession(session).setVolume(volume).setProtocol(Wire.PROTOCOL)
                        .setClient(clientName).build());
        if (r.getBrickIndex() != index) {
            throw Status.FAILED_PRECONDITION.withDescription("brick " + address + " says it is brick "
                    + r.getBrickIndex() + " of volume " + volume + ", expected " + index).asRuntimeException();
        }
        openUpcalls();
        boolean newEpoch;
        synchronized (stateLock) {
            newEpoch = epoch != null && !epoch.equals(r.getEpoch());
            epoch = r.getEpoch();
            lastOk = System.currentTimeMillis();
            if (up) {
                return;
            }
            up = true;
        }
        LOG.info("brick {} of volume {} is up", address, volume);
        events.up(this, newEpoch);
    }

    private void openUpcalls() {
        async.upcalls(UpcallRequest.newBuilder().setSession(session).build(), new StreamObserver<Upcall>() {
            @Override
            public void onNext(Upcall u) {
                if (u.getRecallCount() > 0) {
                    events.recall(BrickClient.this, u.getRecallList());
                }
            }

            @Override
            public void onError(Throwable t) {
                // the heartbeat decides about the brick's health; a broken stream alone says little
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    private void beat() {
        if (closed) {
            return;
        }
        try {
            if (!up) {
                channel.resetConnectBackoff();
                hello();
                return;
            }
            var r = futures.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .ping(PingRequest.newBuilder().setSession(session).setSettled(settled()).build());
            Futures.addCallback(r, new FutureCallback<>() {
                @Override
                public void onSuccess(io.camelfs.protocol.v1.PingReply p) {
                    lastOk = System.currentTimeMillis();
                    if (epoch != null && !epoch.equals(p.getEpoch())) {
                        markDown("restarted");
                    }
                }

                @Override
                public void onFailure(Throwable t) {
                    if (isConnectionLoss(t)) {
                        markDown(describe(t));
                    }
                }
            }, MoreExecutors.directExecutor());
            if (System.currentTimeMillis() - lastOk > timeout.toMillis()) {
                markDown("no answer for " + timeout.toMillis() + " ms");
            }
        } catch (StatusRuntimeException e) {
            downReason = describe(e);
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
        LOG.warn("brick {} of volume {} is down: {}", address, volume, reason);
        events.down(this, reason);
    }

    /** A failure that means the brick is unreachable (as opposed to an error the brick returned). */
    public static boolean isConnectionLoss(Throwable t) {
        Status s = Status.fromThrowable(t);
        return s.getCode() == Status.Code.UNAVAILABLE || s.getCode() == Status.Code.DEADLINE_EXCEEDED;
    }

    public static String describe(Throwable t) {
        Status s = Status.fromThrowable(t);
        if (s.getCode() == Status.Code.UNAVAILABLE) {
            Throwable c = s.getCause();
            String why = c != null && c.getMessage() != null ? c.getMessage() : s.getDescription();
            if (why != null && why.contains("Connection refused")) {
                return "connection refused";
            }
            return why == null ? "unavailable" : why;
        }
        if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return "no answer within the brick timeout";
        }
        return s.getDescription() != null ? s.getDescription() : s.getCode().toString();
    }

    // ------------------------------------------------------------------------------------------------ calls

    /** A request in flight to this brick, with the sequence number to settle once the whole AFR op is done. */
    public record Sent(long seq, CompletableFuture<FopReply> reply) {
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
        if (mutating) {
            s = seq.incrementAndGet();
            inFlight.add(s);
        }
        header.setSession(session).setSeq(s).setSettled(settled());
        FopRequest r = req.setHeader(header).build();
        CompletableFuture<FopReply> f = new CompletableFuture<>();
        ListenableFuture<FopReply> lf = futures.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                .call(r);
        Futures.addCallback(lf, new FutureCallback<>() {
            @Override
            public void onSuccess(FopReply reply) {
                lastOk = System.currentTimeMillis();
                f.complete(reply);
            }

            @Override
            public void onFailure(Throwable t) {
                if (isConnectionLoss(t)) {
                    markDown(describe(t));
                }
                f.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return new Sent(s, f);
    }

    public void settle(long s) {
        if (s > 0) {
            inFlight.remove(s);
        }
    }

    /** Every op numbered at or below this has reached its outcome everywhere. */
    long settled() {
        Long first = inFlight.isEmpty() ? null : inFlight.first();
        return first == null ? seq.get() : first - 1;
    }

    public CompletableFuture<LeaseReply> acquire(List<String> keys, boolean wait, Duration deadline) {
        return toCompletable(futures.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                .acquire(LeaseRequest.newBuilder().setSession(session).addAllKeys(keys).setWait(wait).build()));
    }

    public CompletableFuture<LeaseReply> release(List<String> keys) {
        return toCompletable(futures.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .release(LeaseRequest.newBuilder().setSession(session).addAllKeys(keys).build()));
    }

    private <T> CompletableFuture<T> toCompletable(ListenableFuture<T> lf) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Futures.addCallback(lf, new FutureCallback<>() {
            @Override
            public void onSuccess(T v) {
                f.complete(v);
            }

            @Override
            public void onFailure(Throwable t) {
                if (isConnectionLoss(t) && Status.fromThrowable(t).getCode() == Status.Code.UNAVAILABLE) {
                    markDown(describe(t));
                }
                f.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return f;
    }

    public ConnectivityState channelState() {
        return channel.getState(false);
    }

    @Override
    public void close() {
        closed = true;
        heartbeat.cancel(false);
        if (up) {
            try {
                // goodbye: the brick releases our leases and locks now instead of after the grace period
                futures.withDeadlineAfter(Math.min(1000, timeout.toMillis()), TimeUnit.MILLISECONDS)
                        .ping(PingRequest.newBuilder().setSession(session).setSettled(settled()).setGoodbye(true)
                                .build()).get();
            } catch (Exception e) {
                LOG.debug("goodbye to {} failed: {}", address, e.toString());
            }
        }
        up = false;
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "brick " + index + " " + address + (up ? " up" : " down (" + downReason + ")");
    }
}
