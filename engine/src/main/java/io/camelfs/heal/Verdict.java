package io.camelfs.heal;

import io.camelfs.afr.Changelog;
import io.camelfs.afr.Counters;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How one kind (data, metadata or entries) of one inode stands, decided from the changelogs of the bricks that have
 * it -- GlusterFS's pending matrix. A brick that another brick blames for the kind is a sink; one nobody blames is
 * a source; when every brick is blamed by another there is no source: split-brain. Without any blame but with dirty
 * marks, the last operation's outcome is unknown and the copies must be compared.
 *
 * @param sources bricks nobody blames for the kind that may serve as its source
 * @param blamed  bricks some other brick blames for the kind
 * @param dirty   bricks with a dirty mark for the kind
 */
public record Verdict(State state, Set<Integer> sources, Set<Integer> blamed, Set<Integer> dirty) {
    public enum State {
        /** Nothing to heal. */
        CLEAN,
        /** Copy from a source to the blamed bricks. */
        HEAL,
        /** No blame, but dirty marks: compare the copies, then keep the winner's. */
        COMPARE,
        /** Every brick that has the inode is blamed by another: no source can be trusted without a choice. */
        SPLIT_BRAIN
    }

    public Verdict {
        sources = Collections.unmodifiableSet(new TreeSet<>(sources));
        blamed = Collections.unmodifiableSet(new TreeSet<>(blamed));
        dirty = Collections.unmodifiableSet(new TreeSet<>(dirty));
    }

    /**
     * @param logs     the changelog of every brick that has the inode
     * @param kind     {@link Counters#DATA}, {@link Counters#METADATA} or {@link Counters#ENTRY}
     * @param noSource bricks that can never be the source of this kind (the arbiter, for data)
     */
    public static Verdict of(Map<Integer, Changelog> logs, int kind, Set<Integer> noSource) {
        Set<Integer> blamed = new TreeSet<>();
        Set<Integer> dirty = new TreeSet<>();
        for (Map.Entry<Integer, Changelog> e : logs.entrySet()) {
            for (Map.Entry<Integer, Counters> p : e.getValue().pending().entrySet()) {
                if (!p.getKey().equals(e.getKey()) && p.getValue().has(kind) && logs.containsKey(p.getKey())) {
                    blamed.add(p.getKey());
                }
            }
            if (e.getValue().dirty().has(kind)) {
                dirty.add(e.getKey());
            }
        }
        Set<Integer> sources = new TreeSet<>(logs.keySet());
        sources.removeAll(blamed);
        sources.removeAll(noSource);
        State state;
        if (blamed.isEmpty()) {
            state = dirty.isEmpty() ? State.CLEAN : State.COMPARE;
        } else {
            state = sources.isEmpty() ? State.SPLIT_BRAIN : State.HEAL;
        }
        return new Verdict(state, sources, blamed, dirty);
    }

    /** The source to copy from: one without a dirty mark if possible, then the preferred brick, then the first. */
    public int source(int preferred) {
        Set<Integer> clean = new TreeSet<>(sources);
        clean.removeAll(dirty);
        Set<Integer> from = clean.isEmpty() ? sources : clean;
        return from.contains(preferred) ? preferred : from.iterator().next();
    }

    /**
     * The bricks that must be made like the source: the blamed ones, and sources whose own last operation is in
     * doubt (dirty). Sources without doubt are left alone.
     */
    public Set<Integer> targets(int source, Set<Integer> present) {
        Set<Integer> t = new TreeSet<>(blamed);
        for (int b : sources) {
            if (dirty.contains(b)) {
                t.add(b);
            }
        }
        for (int b : present) {
            if (!sources.contains(b) && !blamed.contains(b)) {
                t.add(b); // can never be a source (the arbiter): it follows the source's metadata
            }
        }
        t.retainAll(present);
        t.remove(source);
        return t;
    }
}
