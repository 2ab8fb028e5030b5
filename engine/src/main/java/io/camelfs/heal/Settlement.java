package io.camelfs.heal;

import io.camelfs.afr.Changelog;
import io.camelfs.afr.Counters;
import io.camelfs.fop.Gfid;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Settle;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a finished heal takes off each brick's changelog: the counters it observed (under its lock) for the kinds
 * it repaired on each target, and the dirty marks it resolved. Counters that new failures added meanwhile stay. A
 * healed target also takes over the source's blame of bricks that are still away: it now holds what they lack.
 */
final class Settlement {
    private final Map<Integer, Changelog> observed;
    private final Set<Integer> away;
    private final Map<Integer, Integer> healed = new TreeMap<>();
    private int resolved;
    private int source = -1;

    /** @param observed the changelog of every brick taking part; away: the volume's bricks that are not */
    Settlement(Map<Integer, Changelog> observed, Set<Integer> away) {
        this.observed = observed;
        this.away = new TreeSet<>(away);
    }

    /**
     * The target now holds the source's state for these kinds: everyone's blame of it is answered, and so is its
     * own blame of others (after a split-brain, each copy blamed the other).
     */
    void healed(int source, int target, int kinds) {
        this.source = source;
        healed.merge(target, kinds, (a, b) -> a | b);
        resolved |= kinds;
    }

    /** Dirty marks for these kinds are answered on every brick (healed, or the copies were found equal). */
    void resolved(int kinds) {
        resolved |= kinds;
    }

    boolean isEmpty() {
        if (!healed.isEmpty()) {
            return false;
        }
        for (Changelog c : observed.values()) {
            if ((c.dirty().kinds() & resolved) != 0) {
                return false;
            }
        }
        return true;
    }

    Set<Integer> targets() {
        return healed.keySet();
    }

    /** The Settle request for one brick. */
    FopRequest.Builder request(int brick, String path, Gfid gfid, boolean sync) {
        Changelog c = observed.getOrDefault(brick, Changelog.CLEAN);
        Settle.Builder s = Settle.newBuilder().setPath(path).setGfid(Wire.gfid(gfid)).setSync(sync)
                .setDirty(Wire.counters(only(c.dirty(), resolved)));
        Map<Integer, Counters> subtract = new TreeMap<>();
        for (Map.Entry<Integer, Integer> h : healed.entrySet()) {
            subtract.merge(h.getKey(), only(c.pendingFor(h.getKey()), h.getValue()), Settlement::max);
        }
        Integer mine = healed.get(brick);
        if (mine != null) {
            // a healed copy holds the source's state: what it blamed others for (a split-brain) is void
            c.pending().forEach((j, seen) -> subtract.merge(j, only(seen, mine), Settlement::max));
        }
        subtract.forEach((j, seen) -> {
            if (!seen.isZero()) {
                s.putPending(j, Wire.counters(seen));
            }
        });
        if (mine != null && source >= 0) {
            Changelog src = observed.getOrDefault(source, Changelog.CLEAN);
            for (int d : away) {
                int kinds = src.pendingFor(d).kinds() & mine;
                if (kinds != 0) {
                    s.putBlame(d, Wire.counters(Counters.ZERO.plus(kinds)));
                }
            }
        }
        return FopRequest.newBuilder().setSettle(s);
    }

    /** A settle request that would change nothing (no counters to subtract or add). */
    static boolean isNoop(FopRequest.Builder r) {
        Settle.Builder s = r.getSettleBuilder();
        return s.getPendingCount() == 0 && s.getBlameCount() == 0 && Wire.counters(s.getDirty()).isZero();
    }

    private static Counters max(Counters a, Counters b) {
        return new Counters(Math.max(a.data(), b.data()), Math.max(a.metadata(), b.metadata()),
                Math.max(a.entry(), b.entry()));
    }

    static Counters only(Counters c, int kinds) {
        return new Counters((kinds & Counters.DATA) != 0 ? c.data() : 0,
                (kinds & Counters.METADATA) != 0 ? c.metadata() : 0, (kinds & Counters.ENTRY) != 0 ? c.entry() : 0);
    }
}
