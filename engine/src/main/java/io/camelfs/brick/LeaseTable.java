package io.camelfs.brick;

import com.google.protobuf.ByteString;
import io.camelfs.protocol.LeaseKeys;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Leases held by clients on this brick: AFR's eager locks. A key ("i:gfid" for an inode's data and metadata,
 * "e:path" for a directory entry) belongs to at most one client session. A client keeps a lease until another
 * client wants it: then the holder is recalled, settles its in-flight operations and releases it, and the lease
 * passes to the first waiter. Operations are applied only while their session holds every key they order on, and
 * a lease never changes hands while one of its operations is being applied.
 *
 * <p>A lease nobody used for the volume's lease-timeout lapses: its holder loses nothing, because acquiring a free
 * lease rides on the holder's next operation at no extra cost. So the table holds only recently used keys, and the
 * periodic sweep visits only the expired and the contended ones.
 */
final class LeaseTable {

    private static final class Lease {
        ByteString holder;
        int inFlight;
        /** When the holder was first asked to release: revocation counts from here, not from the latest ask. */
        long recalledAt;
        long lastRecall;
        long lastUsed = System.currentTimeMillis();
        final Deque<Waiter> waiters = new ArrayDeque<>();

        boolean idle(long now, long idleMillis) {
            return inFlight == 0 && waiters.isEmpty() && now - lastUsed > idleMillis;
        }
    }

    /** A blocked Acquire: granted once it holds every key. */
    static final class Waiter {
        final ByteString session;
        final TreeSet<String> missing;
        final Runnable onGranted;
        boolean done;

        Waiter(ByteString session, Collection<String> keys, Runnable onGranted) {
            this.session = session;
            this.missing = new TreeSet<>(keys);
            this.onGranted = onGranted;
        }
    }

    /** In access order, least recently used first, so lapsed leases are found at the head. */
    private final LinkedHashMap<String, Lease> leases = new LinkedHashMap<>(1024, 0.75f, true);
    /** Keys somebody waits for: the only ones the sweep must look at besides the lapsed. */
    private final Set<String> contended = new HashSet<>();
    private final BiConsumer<ByteString, String> recaller;
    private final long recallTimeoutMillis;
    /** A lease unused for this long, with nobody waiting for it, lapses. */
    private final long idleMillis;

    /**
     * @param recaller asked to tell a session to release a key (sent over that session's upcall stream)
     * @param idleMillis the volume's lease-timeout: its clients trust a lease for half of it
     */
    LeaseTable(BiConsumer<ByteString, String> recaller, long recallTimeoutMillis, long idleMillis) {
        this.recaller = recaller;
        this.recallTimeoutMillis = recallTimeoutMillis;
        this.idleMillis = idleMillis;
    }

    synchronized int size() {
        return leases.size();
    }

    /** LEASE_HELD: if the session holds every key, the operation starts (see {@link #exit}). */
    synchronized boolean enterHeld(ByteString session, List<String> keys) {
        for (String k : keys) {
            Lease l = leases.get(k);
            if (l == null || !session.equals(l.holder)) {
                return false;
            }
        }
        enter(keys);
        return true;
    }

    /** LEASE_ACQUIRE: if every key can be granted, it is, and the operation starts. */
    synchronized boolean enterAcquire(ByteString session, List<String> keys) {
        return enterAcquire(session, keys, List.of());
    }

    /**
     * LEASE_ACQUIRE with keys to clear: the operation starts only if no other session holds a cleared key (holders
     * are recalled). A cleared key is not granted, but counts the operation in flight, so nobody is granted it
     * until the operation is applied: a client that takes a directory's listing lease afterwards sees this entry.
     */
    synchronized boolean enterAcquire(ByteString session, List<String> keys, List<String> clear) {
        if (!clear.isEmpty() && !cleared(session, clear)) {
            return false;
        }
        if (!tryAcquireAll(session, keys)) {
            return false;
        }
        enter(keys);
        enterCleared(clear);
        return true;
    }

    /** LEASE_HELD with keys to clear. */
    synchronized boolean enterHeld(ByteString session, List<String> keys, List<String> clear) {
        if (!clear.isEmpty() && !cleared(session, clear)) {
            return false;
        }
        if (!enterHeld(session, keys)) {
            return false;
        }
        enterCleared(clear);
        return true;
    }

    /** True if no other session holds a key to clear; recalls every holder that does. */
    private boolean cleared(ByteString session, List<String> clear) {
        boolean ok = true;
        for (String k : expand(clear)) {
            Lease l = leases.get(k);
            if (l != null && l.holder != null && !session.equals(l.holder)) {
                ok = false;
                recall(k, l);
            }
        }
        return ok;
    }

    /** Cleared keys count the operation in flight; a subtree key is only checked, it names no lease of its own. */
    private void enterCleared(List<String> clear) {
        for (String k : held(clear)) {
            leases.computeIfAbsent(k, x -> new Lease()).inFlight++;
        }
    }

    /** The operation that entered with these cleared keys is applied. */
    synchronized void exitCleared(List<String> clear) {
        exit(held(clear));
    }

    /** The keys that can be held: all but subtree keys. */
    private static List<String> held(List<String> keys) {
        List<String> out = new ArrayList<>(keys.size());
        for (String k : keys) {
            if (!k.startsWith(LeaseKeys.SUBTREE)) {
                out.add(k);
            }
        }
        return out;
    }

    /**
     * Grants every key if each is free (with nobody waiting) or already the session's; otherwise grants nothing
     * and recalls the holders.
     */
    private boolean tryAcquireAll(ByteString session, List<String> keys) {
        boolean ok = true;
        for (String k : keys) {
            Lease l = leases.get(k);
            if (l == null) {
                continue;
            }
            if (session.equals(l.holder)) {
                continue;
            }
            if (l.holder == null && l.waiters.isEmpty() && l.inFlight == 0) {
                continue;
            }
            ok = false;
            recall(k, l);
        }
        if (ok) {
            long now = System.currentTimeMillis();
            for (String k : keys) {
                Lease l = leases.computeIfAbsent(k, x -> new Lease());
                l.holder = session;
                l.lastUsed = now;
            }
        }
        return ok;
    }

    private void recall(String key, Lease l) {
        if (l.holder == null) {
            return;
        }
        long now = System.currentTimeMillis();
        if (now - l.lastRecall > 1000) {
            // repeating the recall must not restart the revocation clock: the sweep repeats it every second, so
            // a holder that ignored recalls (stuck, or hostile and still pinging) was never revoked
            // ... but a recall after a quiet spell is a new contention: a clock left from an old one (a requester
            // that went away) would revoke this holder at once, without the recall it must get to drop its caches
            if (l.recalledAt == 0 || now - l.lastRecall > 3 * 1000) {
                l.recalledAt = now;
            }
            l.lastRecall = now;
            recaller.accept(l.holder, key);
        }
    }

    /** An operation on these keys starts being applied: the keys cannot change hands until {@link #exit}. */
    private void enter(List<String> keys) {
        for (String k : keys) {
            Lease l = leases.get(k);
            if (l != null) {
                l.inFlight++;
            }
        }
    }

    /**
     * A read under leases (self-heal reading its source): true if the session still holds every key, which also
     * counts as use, so a long heal does not let the source's lease lapse between its writes to the sinks.
     */
    synchronized boolean touch(ByteString session, List<String> keys) {
        long now = System.currentTimeMillis();
        for (String k : keys) {
            Lease l = leases.get(k);
            if (l == null || !session.equals(l.holder)) {
                return false;
            }
            l.lastUsed = now;
        }
        return true;
    }

    synchronized void exit(List<String> keys) {
        long now = System.currentTimeMillis();
        for (String k : keys) {
            Lease l = leases.get(k);
            if (l != null) {
                l.lastUsed = now;
                l.inFlight--;
                if (l.inFlight == 0 && l.holder == null) {
                    handOver(k, l);
                }
            }
        }
    }

    /** Blocking acquire: keys are taken in sorted order so two waiters can never deadlock on one brick. */
    synchronized Waiter acquire(ByteString session, Collection<String> keys, Runnable onGranted) {
        Waiter w = new Waiter(session, expand(keys), onGranted);
        advance(w);
        return w;
    }

    /** A subtree key stands for the listing keys below it that are in the table now. */
    private List<String> expand(Collection<String> keys) {
        List<String> out = new ArrayList<>(keys.size());
        for (String k : keys) {
            if (!k.startsWith(LeaseKeys.SUBTREE)) {
                out.add(k);
                continue;
            }
            for (String listing : leases.keySet()) {
                if (LeaseKeys.inSubtree(listing, k)) {
                    out.add(listing);
                }
            }
        }
        return out;
    }

    private void advance(Waiter w) {
        while (!w.missing.isEmpty()) {
            String k = w.missing.first();
            Lease l = leases.computeIfAbsent(k, x -> new Lease());
            if (session(l, w.session)) {
                w.missing.pollFirst();
                continue;
            }
            if (l.holder == null && l.inFlight == 0 && (l.waiters.isEmpty() || l.waiters.peekFirst() == w)) {
                l.waiters.remove(w);
                l.holder = w.session;
                w.missing.pollFirst();
                continue;
            }
            if (!l.waiters.contains(w)) {
                l.waiters.addLast(w);
                contended.add(k);
            }
            recall(k, l);
            return;
        }
        if (!w.done) {
            w.done = true;
            w.onGranted.run();
        }
    }

    private static boolean session(Lease l, ByteString s) {
        return s.equals(l.holder);
    }

    /** The waiter gave up (deadline passed): it stops waiting but keeps what it was granted. */
    synchronized void cancel(Waiter w) {
        w.done = true;
        for (String k : new ArrayList<>(contended)) {
            Lease l = leases.get(k);
            if (l != null && l.waiters.remove(w) && l.holder == null) {
                handOver(k, l);
            }
        }
    }

    /** Releases the keys the session holds; returns those it held. */
    synchronized List<String> release(ByteString session, Collection<String> keys) {
        List<String> released = new ArrayList<>();
        for (String k : keys) {
            Lease l = leases.get(k);
            if (l != null && session.equals(l.holder)) {
                l.holder = null;
                released.add(k);
                if (l.inFlight == 0) {
                    handOver(k, l);
                }
            }
        }
        return released;
    }

    /** Everything a vanished session held or waited for. */
    synchronized void releaseSession(ByteString session) {
        List<String> held = new ArrayList<>();
        for (Map.Entry<String, Lease> e : leases.entrySet()) {
            Lease l = e.getValue();
            l.waiters.removeIf(w -> w.session.equals(session));
            if (session.equals(l.holder)) {
                held.add(e.getKey());
            }
        }
        release(session, held);
        leases.values().removeIf(l -> l.holder == null && l.waiters.isEmpty() && l.inFlight == 0);
    }

    /**
     * Lets lapsed leases go, and revokes leases whose holder ignored a recall for too long, so a stuck client
     * cannot block others. Visits only the least recently used entries that lapsed and the contended keys.
     */
    synchronized void sweep() {
        long now = System.currentTimeMillis();
        var it = leases.values().iterator();
        while (it.hasNext()) {
            Lease l = it.next();
            if (now - l.lastUsed <= idleMillis) {
                break; // access order: everything after this was used more recently
            }
            if (l.idle(now, idleMillis)) {
                it.remove();
            }
        }
        for (String k : new ArrayList<>(contended)) {
            Lease l = leases.get(k);
            if (l == null || l.waiters.isEmpty()) {
                contended.remove(k);
                continue;
            }
            if (l.holder != null && l.inFlight == 0 && l.recalledAt > 0 && now - l.recalledAt > recallTimeoutMillis) {
                l.holder = null;
                handOver(k, l);
            } else if (l.holder != null) {
                recall(k, l);
            }
        }
    }

    private void handOver(String key, Lease l) {
        l.recalledAt = 0;
        l.lastRecall = 0;
        l.lastUsed = System.currentTimeMillis();
        Iterator<Waiter> it = l.waiters.iterator();
        while (it.hasNext()) {
            Waiter w = it.next();
            if (w.done) {
                it.remove();
                continue;
            }
            advance(w);
            return;
        }
        if (l.holder == null && l.waiters.isEmpty() && l.inFlight == 0) {
            leases.remove(key);
            contended.remove(key);
        }
    }
}
