package io.camelfs.afr;

import com.google.protobuf.ByteString;
import io.camelfs.brick.LocalBricks;
import io.camelfs.protocol.BrickClient;
import io.camelfs.protocol.Transport;
import io.camelfs.volume.Quorum;
import io.camelfs.volume.VolumeSpec;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bricks of one volume as one client sees them: a connection to each, which are up, and what the client shares
 * between its callers (per-key ordering, the gfid cache). Shared by every {@link Replicate} view of the client.
 */
final class ReplicaSet implements BrickClient.Events, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSet.class);

    final VolumeSpec spec;
    final Quorum quorum;
    final Duration timeout;
    final List<BrickClient> bricks = new ArrayList<>();
    final KeyLocks keyLocks;
    final GfidCache gfids = new GfidCache(16_384);
    final Listings listings;
    final LongAdder mutations = new LongAdder();
    final LongAdder contentions = new LongAdder();
    final LongAdder blamed = new LongAdder();
    /**
     * Leases this client surely holds on every brick: key -> nanoTime at which the operation that was granted them
     * started. A brick lets a lease lapse only after it went unused for the volume's lease-timeout, and must recall
     * it before anyone else gets it, so for half of that after that start (the rest is margin for the bricks' clocks
     * and the time the grant took) the key is ours.
     */
    private final ConcurrentHashMap<String, Long> held = new ConcurrentHashMap<>();
    private final long leaseTrustNanos;
    /** When the last recall (or loss of every lease) came: grants to operations started before it are not trusted. */
    private volatile long lastRecallNanos = System.nanoTime() - (1L << 62);
    private final List<Consumer<List<String>>> recallListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final List<Consumer<String>> stateListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> healListeners = new CopyOnWriteArrayList<>();
    private final List<IntConsumer> upListeners = new CopyOnWriteArrayList<>();
    final int localBrick;

    /** @param transport how to reach the bricks; null: as the volume's options say */
    ReplicaSet(VolumeSpec spec, String clientName, Transport transport) {
        this.spec = spec;
        this.quorum = spec.quorum();
        this.timeout = spec.options().brickTimeout();
        this.keyLocks = new KeyLocks(this::releaseEverywhere);
        this.leaseTrustNanos = spec.options().leaseTimeout().toNanos() / 2;
        this.listings = new Listings(leaseTrustNanos);
        onRecall(listings::recalled); // first of the listeners: a listing goes before its lease is given back
        AtomicInteger n = new AtomicInteger();
        // one thread per brick so a hung brick's reconnect attempt never delays another brick's heartbeat
        this.scheduler = Executors.newScheduledThreadPool(spec.replica() + 1, r -> {
            Thread t = new Thread(r, "afr-" + spec.name() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        ByteString session = ByteString.copyFrom(id);
        int local = -1;
        Transport via = transport != null ? transport
                : Transport.of(spec.options());
        for (int i = 0; i < spec.replica(); i++) {
            BrickClient b = new BrickClient(i, spec.bricks().get(i), spec.name(), session, clientName, timeout, via,
                    this, scheduler);
            b.bricksCloseIdleAfter(spec.options().idleTimeout());
            bricks.add(b);
            if (local < 0 && LocalBricks.contains(spec.bricks().get(i))) {
                local = i;
            }
        }
        this.localBrick = local;
        List<CompletableFuture<Void>> hellos = new ArrayList<>();
        for (BrickClient b : bricks) {
            hellos.add(CompletableFuture.runAsync(b::connect, scheduler));
        }
        CompletableFuture.allOf(hellos.toArray(new CompletableFuture[0])).join();
    }

    List<Integer> up() {
        List<Integer> up = new ArrayList<>(bricks.size());
        for (BrickClient b : bricks) {
            if (b.isUp()) {
                up.add(b.index());
            }
        }
        return up;
    }

    /** Is every brick of the volume up? (Asked on every entry operation: no list is made for it.) */
    boolean allUp() {
        for (BrickClient b : bricks) {
            if (!b.isUp()) {
                return false;
            }
        }
        return true;
    }

    BrickClient brick(int i) {
        return bricks.get(i);
    }

    /** Those of the given bricks this client reaches through their local sockets (on this host). */
    List<Integer> onThisHost(List<Integer> of) {
        List<Integer> here = new ArrayList<>(of.size());
        for (int i : of) {
            if (bricks.get(i).onThisHost()) {
                here.add(i);
            }
        }
        return here;
    }

    void onStateChange(Consumer<String> l) {
        stateListeners.add(l);
    }

    @Override
    public void up(BrickClient brick, boolean newEpoch) {
        forgetLeases(); // a brick that was away may have given our keys to someone else meanwhile
        stateListeners.forEach(l -> l.accept("up " + brick.index()));
        upListeners.forEach(l -> l.accept(brick.index()));
    }

    void onBrickUp(IntConsumer l) {
        upListeners.add(l);
    }

    void onNeedsHeal(Consumer<String> l) {
        healListeners.add(l);
    }

    void needsHeal(String path) {
        for (Consumer<String> l : healListeners) {
            l.accept(path);
        }
    }

    /** The arbiter's brick index (replica 3 arbiter 1), or -1. */
    int arbiter() {
        return spec.arbiter() == 1 ? spec.replica() - 1 : -1;
    }

    /** Heal takes these keys: whatever this client believed about them may change underneath. */
    void forget(List<String> keys) {
        keys.forEach(held::remove);
        recallListeners.forEach(l -> l.accept(keys));
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void down(BrickClient brick, String reason) {
        forgetLeases();
        stateListeners.forEach(l -> l.accept("down " + brick.index()));
    }

    @Override
    public void recall(BrickClient brick, List<String> keys) {
        lastRecallNanos = System.nanoTime();
        keys.forEach(held::remove);
        recallListeners.forEach(l -> l.accept(keys));
        keyLocks.recall(keys);
    }

    /**
     * The operation that started at startNanos was granted these keys on every brick that is up. A recall that came
     * meanwhile may be for them: the release follows the operation, so they are not recorded as held.
     */
    void granted(List<String> keys, long startNanos) {
        if (lastRecallNanos - startNanos >= 0) {
            return;
        }
        if (held.size() > 200_000) {
            held.clear();
        }
        for (String k : keys) {
            held.put(k, startNanos);
        }
    }

    boolean holds(String key) {
        Long since = held.get(key);
        if (since == null) {
            return false;
        }
        if (System.nanoTime() - since > leaseTrustNanos) {
            held.remove(key, since);
            return false;
        }
        return true;
    }

    private void forgetLeases() {
        lastRecallNanos = System.nanoTime();
        held.clear();
        recallListeners.forEach(l -> l.accept(null));
    }

    /** Told of every recall (keys), and of null when all leases must be presumed gone (a brick came or went). */
    void onRecall(Consumer<List<String>> listener) {
        recallListeners.add(listener);
    }

    /** Gives leases back on every brick that is up, off the caller's thread (a lost release only costs a recall). */
    private void releaseEverywhere(List<String> keys) {
        scheduler.execute(() -> {
            for (BrickClient b : bricks) {
                if (b.isUp()) {
                    try {
                        b.release(keys).get();
                    } catch (RuntimeException e) {
                        LOG.debug("release of {} on {} failed: {}", keys, b.address(), e.toString());
                    }
                }
            }
        });
    }

    @Override
    public void close() {
        for (BrickClient b : bricks) {
            b.close();
        }
        scheduler.shutdownNow();
    }
}
