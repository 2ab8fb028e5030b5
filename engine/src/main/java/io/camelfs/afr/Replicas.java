package io.camelfs.afr;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.protocol.BrickClient;
import io.camelfs.protocol.BrickRefusedException;
import io.camelfs.protocol.BrickUnavailableException;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.LeaseMode;
import io.camelfs.protocol.v1.LeaseReply;
import io.camelfs.protocol.v1.LeaseStatus;
import io.camelfs.volume.VolumeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * The bricks of a replicate client addressed one by one, beneath AFR's decisions: what self-heal works with. Shares
 * the client's session, connections and lease bookkeeping, so a heal running in a mount orders correctly against
 * the mount's own operations.
 */
public final class Replicas {
    private final ReplicaSet set;

    Replicas(ReplicaSet set) {
        this.set = set;
    }

    public VolumeSpec spec() {
        return set.spec;
    }

    public List<Integer> up() {
        return set.up();
    }

    public boolean isUp(int brick) {
        return set.brick(brick).isUp();
    }

    public String address(int brick) {
        return set.brick(brick).address().toString();
    }

    public String downReason(int brick) {
        return set.brick(brick).downReason();
    }

    /** The arbiter's index (replica 3 arbiter 1), or -1. */
    public int arbiter() {
        return set.arbiter();
    }

    public Duration timeout() {
        return set.timeout;
    }

    /** Told the index of every brick that comes up (on a connection thread: listeners only queue work). */
    public void onBrickUp(IntConsumer listener) {
        set.onBrickUp(listener);
    }

    /** A header for operations under leases taken with {@link #lock}: bricks apply them only while they hold. */
    public static Header.Builder held(List<String> keys) {
        Header.Builder h = Header.newBuilder();
        if (!keys.isEmpty()) {
            h.setLeaseMode(LeaseMode.LEASE_HELD).addAllLeases(keys);
        }
        return h;
    }

    /**
     * Sends one request to each brick in parallel and waits for all. Bricks that could not be reached are absent
     * from the result (and count as down).
     */
    public Map<Integer, FopReply> call(Collection<Integer> bricks, IntFunction<FopRequest.Builder> request,
            Header.Builder header, boolean mutating) {
        Map<Integer, BrickClient.Sent> sent = new TreeMap<>();
        for (int b : bricks) {
            sent.put(b, set.brick(b).send(request.apply(b), header.clone().setInternal(true), mutating,
                    set.timeout));
        }
        Map<Integer, FopReply> out = new TreeMap<>();
        for (Map.Entry<Integer, BrickClient.Sent> e : sent.entrySet()) {
            try {
                out.put(e.getKey(), e.getValue().reply().get());
            } catch (BrickUnavailableException | BrickRefusedException ex) {
                // absent: the caller treats the brick as down for this step
            } finally {
                set.brick(e.getKey()).settle(e.getValue().seq());
            }
        }
        return out;
    }

    /** A request on its way to one brick. */
    public final class Call {
        private final int brick;
        private final BrickClient.Sent sent;

        private Call(int brick, BrickClient.Sent sent) {
            this.brick = brick;
            this.sent = sent;
        }

        /** The reply, whatever its errno; ENOTCONN when the brick could not be reached. */
        public FopReply reply() {
            try {
                return sent.reply().get();
            } catch (BrickUnavailableException | BrickRefusedException e) {
                throw new FopException(Errno.ENOTCONN, "brick " + set.brick(brick).address() + " of volume "
                        + set.spec.name() + ": " + e.getMessage());
            } finally {
                set.brick(brick).settle(sent.seq());
            }
        }

        /** The reply if it succeeded; its errno as a FopException otherwise. */
        public FopReply get() {
            return checked(reply());
        }
    }

    /** Starts a request without waiting for it: several may be in flight to one brick, each on its connection. */
    public Call start(int brick, FopRequest.Builder request, Header.Builder header, boolean mutating) {
        return new Call(brick, set.brick(brick).send(request, header.clone().setInternal(true), mutating,
                set.timeout));
    }

    /** A reply's errno as an exception (LEASE_LOST is EAGAIN: the heal lost its lock and must start over). */
    public static FopReply checked(FopReply r) {
        if (r.getLease() != LeaseStatus.LEASE_OK) {
            throw new FopException(Errno.EAGAIN, "the heal lock was lost (" + r.getLease() + ")");
        }
        if (r.getErrno() != 0) {
            throw new FopException(r.getErrno(), r.getError().isEmpty() ? Errno.describe(r.getErrno())
                    : r.getError());
        }
        return r;
    }

    /** One request to one brick; a brick that cannot be reached is ENOTCONN, a brick error its errno. */
    public FopReply call(int brick, FopRequest.Builder request, Header.Builder header, boolean mutating) {
        return start(brick, request, header, mutating).get();
    }

    /** Lease keys held on every brick that was up when they were taken; close() gives them back. */
    public final class Lock implements AutoCloseable {
        private final List<String> keys;
        private final KeyLocks.Held local;
        private final List<Integer> bricks;
        private final Map<Integer, FopReply> first;
        private final Set<Integer> releasing = new TreeSet<>();

        private Lock(List<String> keys, KeyLocks.Held local, List<Integer> bricks, Map<Integer, FopReply> first) {
            this.keys = keys;
            this.local = local;
            this.bricks = bricks;
            this.first = first;
        }

        public List<String> keys() {
            return keys;
        }

        /** The bricks that granted the keys. */
        public List<Integer> bricks() {
            return bricks;
        }

        /** The replies to the request sent with the keys' acquisition, by brick (see {@link Replicas#lock}). */
        public Map<Integer, FopReply> first() {
            return first;
        }

        /** A header for operations under the keys. */
        public Header.Builder held() {
            return Replicas.held(keys);
        }

        /**
         * A header for the last operation under the keys, sent to these bricks: each gives them back once it has
         * applied it, which saves close() a round trip there.
         */
        public Header.Builder last(Collection<Integer> to) {
            releasing.addAll(to);
            return Replicas.held(keys).setRelease(true);
        }

        @Override
        public void close() {
            try {
                List<Integer> rest = new ArrayList<>(bricks);
                rest.removeAll(releasing);
                release(rest, keys);
            } finally {
                local.close();
            }
        }
    }

    /** Takes lease keys on every brick that is up, without sending anything else (see the other lock). */
    public Lock lock(List<String> keys, Duration wait) {
        return lock(keys, wait, null);
    }

    /**
     * Takes lease keys on every brick that is up -- the brick-side heal lock, which excludes clients and other
     * healers alike -- and sends each brick a first request under them: a read (a lookup, a fetch) that then costs no
     * round trip of its own. First on all bricks at once; if any refuses, the keys are taken brick by brick in order,
     * waiting at most wait on each (the order every client uses, so no two holders deadlock), and the first request
     * is sent again. Fails with EAGAIN when a brick keeps the key from us that long.
     *
     * @param first the request for each brick, or null for none
     */
    public Lock lock(List<String> keys, Duration wait, IntFunction<FopRequest.Builder> first) {
        KeyLocks.Held local = set.keyLocks.lock(keys);
        try {
            set.forget(keys);
            List<Integer> up = set.up();
            List<Integer> granted = new ArrayList<>();
            Map<Integer, FopReply> replies = new TreeMap<>();
            Header.Builder acquire = Header.newBuilder().setLeaseMode(LeaseMode.LEASE_ACQUIRE).addAllLeases(keys);
            if (first != null) {
                replies = call(up, first, acquire, false);
                replies.forEach((b, r) -> {
                    if (r.getLease() == LeaseStatus.LEASE_OK) {
                        granted.add(b);
                    }
                });
            } else {
                Map<Integer, BrickClient.Pending<LeaseReply>> tries = new TreeMap<>();
                for (int b : up) {
                    tries.put(b, set.brick(b).acquire(keys, false, set.timeout));
                }
                for (Map.Entry<Integer, BrickClient.Pending<LeaseReply>> e : tries.entrySet()) {
                    try {
                        if (e.getValue().get().getDeniedCount() == 0) {
                            granted.add(e.getKey());
                        }
                    } catch (BrickUnavailableException | BrickRefusedException ex) {
                        // not granted: the ordered path below finds out whether it is down
                    }
                }
            }
            if (granted.size() == up.size()) {
                return new Lock(keys, local, granted, replies);
            }
            release(granted, keys);
            granted.clear();
            for (int b : up) {
                if (!set.brick(b).isUp()) {
                    continue;
                }
                LeaseReply r;
                try {
                    r = set.brick(b).acquire(keys, true, wait).get();
                } catch (BrickUnavailableException | BrickRefusedException ex) {
                    continue; // that brick went away: it is not up for this heal either
                }
                if (r.getDeniedCount() > 0) {
                    release(granted, keys);
                    throw new FopException(Errno.EAGAIN, "lease " + keys + " busy on brick "
                            + set.brick(b).address() + " for " + wait.toMillis() + " ms");
                }
                granted.add(b);
            }
            Map<Integer, FopReply> again = first == null ? Map.of() : call(granted, first, held(keys), false);
            return new Lock(keys, local, granted, again);
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }

    private void release(List<Integer> bricks, List<String> keys) {
        List<BrickClient.Pending<LeaseReply>> sent = new ArrayList<>();
        for (int b : bricks) {
            if (set.brick(b).isUp()) {
                sent.add(set.brick(b).release(keys));
            }
        }
        for (BrickClient.Pending<LeaseReply> p : sent) {
            try {
                p.get();
            } catch (BrickUnavailableException | BrickRefusedException e) {
                // a brick that went away drops the lease with our session
            }
        }
    }
}
