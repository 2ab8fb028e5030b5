package io.camelfs.afr;

import io.camelfs.fop.PathMap;
import io.camelfs.fop.VolumePath;
import io.camelfs.protocol.LeaseKeys;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Directory listings this client may answer negative lookups from, so creating a file costs no round trip to learn
 * that its name is free (the kernel looks every new name up first). A listing is known only while this client holds
 * the directory's lease key "n:DIR" on every brick: every other client's entry operation in DIR must clear that key
 * first, which recalls it, and a recall drops the listing before the lease is given back. The listing of a
 * directory starts when this client makes it (empty); this client's own creations and removals in it keep it
 * current. Only absence is answered from it: a name it lists is still looked up on the bricks.
 *
 * <p>A brick lets an unused lease lapse after the volume's lease-timeout without telling anyone, so a listing is
 * trusted for half of that after the operation that last renewed its key started, and a renewal that
 * completes later than that after the previous one could follow a lapse: the listing is dropped instead.
 */
final class Listings {
    private static final int MAX_DIRS = 4096;
    private static final int MAX_NAMES = 50_000;

    private static final class Known {
        final Set<String> names = ConcurrentHashMap.newKeySet();
        /** nanoTime at which the last operation granted the directory's key started. */
        volatile long renewed;

        Known(long renewed) {
            this.renewed = renewed;
        }
    }

    /** Over MAX_DIRS, the listings renewed longest ago go: the directories being filled now stay known. */
    private final PathMap<Known> dirs = new PathMap<>(MAX_DIRS, k -> k.renewed);
    private final long trustNanos;
    /** Counts recalls: a listing is established only if none came while the operation that made it ran. */
    private long recalls;

    /** @param trustNanos how long after the operation that granted a lease it surely still holds */
    Listings(long trustNanos) {
        this.trustNanos = trustNanos;
    }

    /** Recalls seen so far: read before an operation that may establish a listing. */
    synchronized long epoch() {
        return recalls;
    }

    /**
     * dir was made, empty, by an operation that started at startNanos and was granted its key on every brick that is
     * up; nothing was recalled since epoch.
     */
    synchronized void established(String dir, long startNanos, long epoch) {
        if (recalls != epoch || System.nanoTime() - startNanos >= trustNanos) {
            return;
        }
        dirs.put(dir, new Known(startNanos));
    }

    /** dir's listing if this client knows it right now (it holds its key); a listing past its trust goes. */
    private Known trusted(String dir) {
        Known k = dirs.get(dir);
        if (k != null && System.nanoTime() - k.renewed >= trustNanos) {
            dirs.remove(dir, k);
            return null;
        }
        return k;
    }

    boolean knows(String dir) {
        return trusted(dir) != null;
    }

    /** True if the name is surely absent: its directory's listing is known and does not have it. */
    boolean absent(String path) {
        if (path.isEmpty()) {
            return false;
        }
        Known k = trusted(VolumePath.parent(path));
        return k != null && !k.names.contains(VolumePath.name(path));
    }

    /**
     * This client's own operation, started at startNanos and granted dir's key, added (or removed) a name. The
     * listing stays known only if the lease cannot have lapsed since its last renewal.
     */
    void changed(String path, boolean added, long startNanos) {
        String dir = VolumePath.parent(path);
        Known k = trusted(dir);
        if (k == null) {
            return;
        }
        if (k.names.size() >= MAX_NAMES) {
            dirs.remove(dir, k);
            return;
        }
        if (added) {
            k.names.add(VolumePath.name(path));
        } else {
            k.names.remove(VolumePath.name(path));
        }
        k.renewed = Math.max(k.renewed, startNanos);
    }

    /** What happened in dir is not known for sure (an operation failed somewhere): stop answering for it. */
    void forget(String dir) {
        dirs.remove(dir);
    }

    /** dir and every directory below it. */
    void forgetTree(String dir) {
        dirs.removeTree(dir);
    }

    /** Keys were recalled (null: every lease must be presumed gone). Runs before the leases are given back. */
    synchronized void recalled(List<String> keys) {
        recalls++;
        if (keys == null) {
            dirs.clear();
            return;
        }
        for (String k : keys) {
            String dir = LeaseKeys.listingOf(k);
            if (dir != null) {
                dirs.remove(dir);
            }
        }
    }
}
