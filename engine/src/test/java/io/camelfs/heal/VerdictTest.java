package io.camelfs.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.camelfs.afr.Changelog;
import io.camelfs.afr.Counters;
import io.camelfs.fop.Attr;
import io.camelfs.fop.Timespec;
import io.camelfs.volume.FavoriteChildPolicy;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pending matrix decides sources, sinks and split-brain; copy choice decides where it cannot. */
class VerdictTest {
    private static final Counters DATA = Counters.ZERO.plus(Counters.DATA);

    private static Changelog blames(int brick, Counters c) {
        return new Changelog(Counters.ZERO, Map.of(brick, c));
    }

    private static Changelog dirty(int kinds) {
        return new Changelog(Counters.ZERO.plus(kinds), Map.of());
    }

    @Test
    void aBrickBlamedByAnotherIsASinkAndTheRestAreSources() {
        Verdict v = Verdict.of(Map.of(0, blames(2, DATA), 1, blames(2, DATA), 2, Changelog.CLEAN), Counters.DATA,
                Set.of());
        assertEquals(Verdict.State.HEAL, v.state());
        assertEquals(Set.of(0, 1), v.sources());
        assertEquals(Set.of(2), v.blamed());
        assertEquals(1, v.source(1), "the preferred brick when it is a source");
        assertEquals(Set.of(2), v.targets(1, Set.of(0, 1, 2)), "the other clean source is left alone");
    }

    @Test
    void blameForAnotherKindOrForABrickNotPresentDecidesNothing() {
        Verdict v = Verdict.of(Map.of(0, blames(1, Counters.ZERO.plus(Counters.METADATA)), 1, Changelog.CLEAN),
                Counters.DATA, Set.of());
        assertEquals(Verdict.State.CLEAN, v.state());
        Verdict away = Verdict.of(Map.of(0, blames(2, DATA), 1, Changelog.CLEAN), Counters.DATA, Set.of());
        assertEquals(Verdict.State.CLEAN, away.state(), "brick 2 is not there to be healed");
    }

    @Test
    void everyBrickBlamedByAnotherIsSplitBrain() {
        Verdict v = Verdict.of(Map.of(0, blames(1, DATA), 1, blames(0, DATA)), Counters.DATA, Set.of());
        assertEquals(Verdict.State.SPLIT_BRAIN, v.state());
        assertEquals(Set.of(), v.sources());
    }

    @Test
    void theArbiterIsNeverADataSource() {
        Verdict v = Verdict.of(Map.of(0, blames(1, DATA), 1, blames(0, DATA), 2, blames(0, DATA)), Counters.DATA,
                Set.of(2));
        assertEquals(Verdict.State.SPLIT_BRAIN, v.state(), "only the arbiter is unblamed: no good data");
        Verdict meta = Verdict.of(Map.of(0, blames(1, DATA), 1, Changelog.CLEAN, 2, blames(1, DATA)), Counters.DATA,
                Set.of(2));
        assertEquals(Set.of(0), meta.sources());
        assertEquals(Set.of(1, 2), meta.targets(0, Set.of(0, 1, 2)), "the arbiter follows (settles) too");
    }

    @Test
    void dirtyWithoutBlameMeansCompareAndPrefersCleanSources() {
        Verdict v = Verdict.of(Map.of(0, dirty(Counters.DATA), 1, Changelog.CLEAN), Counters.DATA, Set.of());
        assertEquals(Verdict.State.COMPARE, v.state());
        assertEquals(1, v.source(0), "a copy whose last operation is not in doubt");
    }

    private static Attr attr(long size, long mtime, long ctime) {
        return new Attr(null, 0100644, 1, 0, 0, 0, size, 0, 4096, 1, new Timespec(mtime, 0), new Timespec(mtime, 0),
                new Timespec(ctime, 0));
    }

    @Test
    void copiesAreChosenByMajorityThenByLatestChange() {
        Map<Integer, Attr> attrs = Map.of(0, attr(10, 100, 100), 1, attr(10, 100, 300), 2, attr(20, 200, 200));
        assertEquals(0, CopyChoice.winner(Map.of(0, "a", 1, "b", 2, "a"), Set.of(), attrs), "two of three agree");
        assertEquals(1, CopyChoice.winner(Map.of(0, "a", 1, "b", 2, "c"), Set.of(), attrs), "latest ctime");
        assertEquals(2, CopyChoice.winner(Map.of(0, "a", 1, "b", 2, "c"), Set.of(2), attrs),
                "a copy not in doubt wins over a newer one in doubt");
        assertEquals(Optional.of(2), CopyChoice.favorite(FavoriteChildPolicy.SIZE, attrs, Map.of()));
        assertEquals(Optional.of(2), CopyChoice.favorite(FavoriteChildPolicy.MTIME, attrs, Map.of()));
        assertEquals(Optional.empty(), CopyChoice.favorite(FavoriteChildPolicy.MTIME,
                Map.of(0, attr(1, 5, 5), 1, attr(2, 5, 6)), Map.of()), "a tie decides nothing");
        assertEquals(Optional.empty(), CopyChoice.favorite(FavoriteChildPolicy.NONE, attrs, Map.of()));
        assertEquals(Optional.of(0), CopyChoice.favorite(FavoriteChildPolicy.MAJORITY, attrs,
                Map.of(0, "x", 1, "y", 2, "x")));
    }
}
