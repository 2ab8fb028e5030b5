package io.camelfs.afr;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The AFR changelog of one inode on one brick: the dirty counters (an operation was in flight and its outcome on
 * the other bricks is unknown) and, per other brick, what this brick holds that that brick lacks. A brick with a
 * non-zero pending entry for brick j "blames" j.
 */
public record Changelog(Counters dirty, Map<Integer, Counters> pending) {
    public static final Changelog CLEAN = new Changelog(Counters.ZERO, Map.of());

    public Changelog {
        pending = Collections.unmodifiableMap(new TreeMap<>(pending));
    }

    public Counters pendingFor(int brick) {
        return pending.getOrDefault(brick, Counters.ZERO);
    }

    /** Does this brick blame that brick for any of the kinds? */
    public boolean blames(int brick, int kinds) {
        return (pendingFor(brick).kinds() & kinds) != 0;
    }

    public boolean isClean() {
        return dirty.isZero() && !hasPending();
    }

    public boolean hasPending() {
        // a loop, not a stream: asked for every brick's reply to every lookup and write
        for (Counters c : pending.values()) {
            if (!c.isZero()) {
                return true;
            }
        }
        return false;
    }

    public Changelog withPending(int brick, Counters c) {
        Map<Integer, Counters> m = new TreeMap<>(pending);
        if (c.isZero()) {
            m.remove(brick);
        } else {
            m.put(brick, c);
        }
        return new Changelog(dirty, m);
    }

    public Changelog withDirty(Counters d) {
        return new Changelog(d, pending);
    }
}
