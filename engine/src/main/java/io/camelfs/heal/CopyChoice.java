package io.camelfs.heal;

import io.camelfs.fop.Attr;
import io.camelfs.fop.Timespec;
import io.camelfs.volume.FavoriteChildPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Which copy wins when copies differ and the changelogs do not say which is right: copies are grouped by what they
 * hold (a fingerprint), and a group that more than half of the copies agree on wins; without one, the copy
 * changed last (ctime) wins -- it saw the most operations, which every brick applies in the same order.
 */
final class CopyChoice {
    private CopyChoice() {
    }

    /** The bricks grouped by equal fingerprint, in brick order (each group too). */
    static <F> List<List<Integer>> groups(Map<Integer, F> fingerprints) {
        Map<F, List<Integer>> byPrint = new LinkedHashMap<>();
        new TreeMap<>(fingerprints).forEach((b, f) -> byPrint.computeIfAbsent(f, x -> new ArrayList<>())
                .add(b));
        return new ArrayList<>(byPrint.values());
    }

    /** The group more than half of the copies belong to, if any. */
    static <F> Optional<List<Integer>> majority(Map<Integer, F> fingerprints) {
        for (List<Integer> g : groups(fingerprints)) {
            if (g.size() * 2 > fingerprints.size()) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    /**
     * The winner among differing copies: restricted to the preferred bricks' groups when any preferred brick is
     * among them (copies whose last operation is not in doubt), then the majority, then the latest ctime.
     */
    static <F> int winner(Map<Integer, F> fingerprints, Set<Integer> preferred, Map<Integer, Attr> attrs) {
        Map<Integer, F> candidates = new LinkedHashMap<>();
        for (List<Integer> g : groups(fingerprints)) {
            if (preferred.isEmpty() || g.stream().anyMatch(preferred::contains)) {
                g.forEach(b -> candidates.put(b, fingerprints.get(b)));
            }
        }
        if (candidates.isEmpty()) {
            candidates.putAll(fingerprints);
        }
        Optional<List<Integer>> m = majority(fingerprints);
        if (m.isPresent() && candidates.containsKey(m.get().get(0))) {
            return m.get().get(0);
        }
        return latest(candidates.keySet(), attrs, Attr::ctime).orElse(candidates.keySet().iterator().next());
    }

    /** The copy a split-brain policy picks, or empty when it does not decide (none, or a tie). */
    static <F> Optional<Integer> favorite(FavoriteChildPolicy policy, Map<Integer, Attr> attrs,
            Map<Integer, F> fingerprints) {
        switch (policy) {
            case SIZE:
                return biggest(attrs.keySet(), attrs);
            case MTIME:
                return latest(attrs.keySet(), attrs, Attr::mtime);
            case MAJORITY:
                return majority(fingerprints).map(g -> g.get(0));
            default:
                return Optional.empty();
        }
    }

    /** The brick whose time is strictly the latest, if one is. */
    static Optional<Integer> latest(Set<Integer> among, Map<Integer, Attr> attrs,
            Function<Attr, Timespec> time) {
        Integer best = null;
        boolean tie = false;
        for (int b : among) {
            Timespec t = time.apply(attrs.get(b));
            if (best == null) {
                best = b;
                continue;
            }
            int c = t.compareTo(time.apply(attrs.get(best)));
            if (c > 0) {
                best = b;
                tie = false;
            } else if (c == 0) {
                tie = true;
            }
        }
        return tie ? Optional.empty() : Optional.ofNullable(best);
    }

    /** A brick with the latest time, ties going to the first: for copying times, where any of equals will do. */
    static int newest(Set<Integer> among, Map<Integer, Attr> attrs, Function<Attr, Timespec> time) {
        Integer best = null;
        for (int b : among) {
            if (best == null || time.apply(attrs.get(b)).compareTo(time.apply(attrs.get(best))) > 0) {
                best = b;
            }
        }
        return best;
    }

    /** The brick with strictly the biggest file, if one is. */
    static Optional<Integer> biggest(Set<Integer> among, Map<Integer, Attr> attrs) {
        Integer best = null;
        boolean tie = false;
        for (int b : among) {
            if (best == null || attrs.get(b).size() > attrs.get(best).size()) {
                tie = false;
                best = b;
            } else if (attrs.get(b).size() == attrs.get(best).size() && !Objects.equals(best, b)) {
                tie = true;
            }
        }
        return tie ? Optional.empty() : Optional.ofNullable(best);
    }
}
