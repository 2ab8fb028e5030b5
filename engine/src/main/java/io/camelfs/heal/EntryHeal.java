package io.camelfs.heal;

import io.camelfs.afr.Changelog;
import io.camelfs.afr.Counters;
import io.camelfs.afr.Replicas;
import io.camelfs.fop.Attr;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.VolumePath;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Fetch;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Lookup;
import io.camelfs.protocol.v1.Readdir;
import io.camelfs.protocol.v1.SetMeta;
import io.camelfs.protocol.v1.SplitBrainMark;
import io.camelfs.volume.FavoriteChildPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry heal of one directory: makes its names the same on every brick. When the changelogs name a source (a brick
 * nobody blames for the directory's entries), the sinks get exactly the source's names: missing ones installed,
 * removed ones expunged, reused ones replaced -- so a file deleted while a brick was down never comes back. Without
 * blame (a dirty mark, a full crawl, a client that found a name missing) the names are merged: whatever some brick
 * has is installed where it is missing, and nothing is removed. Names are repaired in parallel, each under its own
 * keys; the directory's own marks are settled once all are done.
 */
final class EntryHeal {
    private static final Logger LOG = LoggerFactory.getLogger(EntryHeal.class);
    private static final int PAGE = 2000;

    private final HealRun run;
    private final Replicas r;
    /** The directory's heal key, held while this heal decides and settles (see healNow). */
    private Replicas.Lock lock;

    EntryHeal(HealRun run) {
        this.run = run;
        this.r = run.replicas;
    }

    /** Heals the directory's names, once per crawl at a time however many tasks ask (see HealRun#directory). */
    Outcome heal(String dir) {
        return run.directory(dir, () -> healNow(dir, true));
    }

    private Outcome healNow(String dir, boolean mayHealParent) {
        List<Integer> up = r.up();
        Map<Integer, View> views = View.lookup(r, up, dir, List.of());
        Gfid g = dirGfid(views);
        if (g == null) {
            return Outcome.CLEAN; // gone, or not a directory on any brick: its parent's heal decides
        }
        Set<Integer> have = new TreeSet<>();
        views.forEach((b, v) -> {
            if (v.holds(g) && v.attr().isDirectory()) {
                have.add(b);
            }
        });
        if (have.size() < views.size() && !dir.isEmpty() && mayHealParent) {
            // a brick lacks the directory itself: its parent's entries come first
            Outcome p = heal(VolumePath.parent(dir));
            return worst(p, healNow(dir, false));
        }
        if (have.size() < 2) {
            return Outcome.CLEAN;
        }
        // One healer at a time per directory, across clients: each settles the counters it observed, and two
        // that observed the same marks would take them off twice -- the second subtraction then erases marks
        // that operations added meanwhile (a name deleted while a brick was down stayed there, unmarked, and a
        // later merge brought it back everywhere). Clients never take this key: their operations go on.
        List<String> key = List.of(healKey(g));
        beforeLock.accept(dir);
        try (Replicas.Lock lock = r.lock(key, run.lockWait, b -> FopRequest.newBuilder().setLookup(
                Lookup.newBuilder().setPath(dir)))) {
            Map<Integer, View> now = new TreeMap<>();
            lock.first().forEach((b, reply) -> now.put(b, View.of(b, reply)));
            Set<Integer> still = new TreeSet<>();
            now.forEach((b, v) -> {
                if (v.holds(g) && v.attr().isDirectory()) {
                    still.add(b);
                }
            });
            if (still.size() < 2) {
                return Outcome.CLEAN;
            }
            return decide(dir, g, now, still, lock);
        } catch (FopException e) {
            if (e.errno() != Errno.EAGAIN) {
                throw e;
            }
            LOG.debug("entry heal of /{} not now: {}", dir, e.getMessage());
            return Outcome.FAILED;
        }
    }

    /** Tests only: runs after a directory was looked at and before its heal key is taken. */
    static volatile Consumer<String> beforeLock = d -> { };

    /** The key a directory's entry heal holds while it decides, repairs and settles. */
    static String healKey(Gfid dir) {
        return "h:" + dir.hex();
    }

    private Outcome decide(String dir, Gfid g, Map<Integer, View> views, Set<Integer> have, Replicas.Lock lock) {
        this.lock = lock;
        Map<Integer, Changelog> logs = View.logs(views, g);
        logs.keySet().retainAll(have);
        Verdict v = Verdict.of(logs, Counters.ENTRY, Set.of());
        LOG.debug("entry heal of /{}: {} on bricks {}, changelogs {}", dir, v.state(), have, logs);
        Map<Integer, Attr> attrs = View.attrs(views, have);
        Outcome result;
        switch (v.state()) {
            case HEAL:
                result = authoritative(dir, g, v.source(first(have)), v.targets(v.source(first(have)), have), have,
                        logs);
                break;
            case SPLIT_BRAIN: {
                // entries have no size; "size" and "mtime" both take the directory changed last
                Optional<Integer> pick = run.forcedSource >= 0 && have.contains(run.forcedSource)
                        ? Optional.of(run.forcedSource)
                        : run.policy == FavoriteChildPolicy.NONE
                        || run.policy == FavoriteChildPolicy.MAJORITY ? Optional.empty()
                        : CopyChoice.latest(have, attrs, Attr::mtime);
                if (pick.isEmpty()) {
                    markSplitBrain(dir, g, have);
                    return Outcome.SPLIT_BRAIN;
                }
                Set<Integer> targets = new TreeSet<>(have);
                targets.remove(pick.get());
                result = authoritative(dir, g, pick.get(), targets, have, logs);
                break;
            }
            case COMPARE:
                result = merge(dir, g, have, logs);
                break;
            default:
                result = run.type == CrawlType.INDEX ? Outcome.CLEAN : merge(dir, g, have, logs);
                break;
        }
        if (run.type == CrawlType.FULL && result != Outcome.SPLIT_BRAIN && result != Outcome.FAILED) {
            descend(dir, first(have));
        }
        return result;
    }

    private static int first(Set<Integer> s) {
        return s.iterator().next();
    }

    private static Gfid dirGfid(Map<Integer, View> views) {
        for (View v : views.values()) {
            if (v.errno() == 0 && v.attr().isDirectory() && v.attr().gfid() != null) {
                return v.attr().gfid();
            }
        }
        return null;
    }

    /** The sinks get exactly the source's names. */
    private Outcome authoritative(String dir, Gfid g, int source, Set<Integer> targets, Set<Integer> have,
            Map<Integer, Changelog> logs) {
        Map<Integer, Map<String, DirEntry>> lists = list(dir, union(Set.of(source), targets));
        if (lists == null) {
            return Outcome.FAILED;
        }
        Map<String, DirEntry> want = lists.get(source);
        NameHeal names = new NameHeal(run);
        List<Supplier<Outcome>> work = new ArrayList<>();
        for (int t : targets) {
            Map<String, DirEntry> there = lists.get(t);
            List<DirEntry> missing = new ArrayList<>();
            for (DirEntry w : want.values()) {
                DirEntry h = there.get(w.name());
                String path = VolumePath.child(dir, w.name());
                if (h == null && NameHeal.batchable(w)) {
                    missing.add(w);
                } else if (h == null || !NameHeal.same(w, h)) {
                    work.add(() -> names.install(path, source, t, w, h, true, have));
                } else if (NameHeal.metadataDiffers(w, h)) {
                    work.add(() -> names.metadata(path, source, t));
                }
            }
            for (DirEntry h : there.values()) {
                if (!want.containsKey(h.name())) {
                    String path = VolumePath.child(dir, h.name());
                    work.add(() -> names.expunge(path, source, t, h));
                }
            }
            batches(dir, source, t, missing, have, names, work);
        }
        Outcome o = runAll(work);
        if (o == Outcome.FAILED) {
            return o;
        }
        Settlement s = new Settlement(logs, away(have));
        for (int t : targets) {
            s.healed(source, t, Counters.ENTRY);
        }
        finish(dir, g, source, targets, have, s);
        return work.isEmpty() && s.isEmpty() ? Outcome.CLEAN : worst(Outcome.HEALED, o);
    }

    /** Names a sink lacks altogether go in batches (see NameHeal#installMissing); each batch is one work item. */
    private void batches(String dir, int source, int sink, List<DirEntry> missing, Set<Integer> have,
            NameHeal names, List<Supplier<Outcome>> work) {
        List<DirEntry> batch = new ArrayList<>();
        long bytes = 0;
        for (DirEntry w : missing) {
            long size = w.type() == FileType.REGULAR ? w.attr().size() : 0;
            if (!batch.isEmpty() && (batch.size() >= NameHeal.BATCH_NAMES || bytes + size > NameHeal.BATCH_BYTES)) {
                List<DirEntry> full = batch;
                work.add(() -> installed(names.installMissing(dir, source, sink, full, have), full.size()));
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(w);
            bytes += size;
        }
        if (!batch.isEmpty()) {
            List<DirEntry> last = batch;
            work.add(() -> installed(names.installMissing(dir, source, sink, last, have), last.size()));
        }
    }

    /** Counts each installed name as healed; a batch that could not install all leaves the rest to a later crawl. */
    private Outcome installed(int done, int wanted) {
        run.healed.add(done);
        return done == wanted ? Outcome.CLEAN : Outcome.FAILED;
    }

    /** Without a source, nothing is removed: every name some brick has is installed where it is missing. */
    private Outcome merge(String dir, Gfid g, Set<Integer> have, Map<Integer, Changelog> logs) {
        Map<Integer, Map<String, DirEntry>> lists = list(dir, have);
        if (lists == null) {
            return Outcome.FAILED;
        }
        Map<String, List<Integer>> holders = new TreeMap<>();
        lists.forEach((b, l) -> l.keySet().forEach(n -> holders.computeIfAbsent(n, x -> new ArrayList<>()).add(b)));
        NameHeal names = new NameHeal(run);
        List<Supplier<Outcome>> work = new ArrayList<>();
        boolean conflict = false;
        // with every brick of three or more at hand, a name most bricks lack goes: an acknowledged create reached a
        // majority, so a minority copy is a delete a majority saw or a create that never completed. With two
        // bricks (or one missing) no side is a majority: names are merged, never dropped.
        int replica = r.spec().replica();
        boolean byMajority = replica >= 3 && have.size() == replica;
        for (Map.Entry<String, List<Integer>> e : holders.entrySet()) {
            String path = VolumePath.child(dir, e.getKey());
            List<Integer> with = e.getValue();
            if (byMajority && with.size() * 2 < replica) {
                for (int b : with) {
                    DirEntry h = lists.get(b).get(e.getKey());
                    work.add(() -> names.expungeMinority(path, b, h, replica));
                }
                continue;
            }
            // the holders' versions of the name, grouped: one group is agreement, more is a conflict
            Map<String, List<Integer>> versions = new LinkedHashMap<>();
            for (int b : with) {
                versions.computeIfAbsent(identity(lists.get(b).get(e.getKey())), x -> new ArrayList<>()).add(b);
            }
            int from;
            if (versions.size() == 1) {
                from = with.get(0);
            } else {
                // a name two bricks hold as different inodes: only a majority of all copies settles it
                List<Integer> major = null;
                for (List<Integer> grp : versions.values()) {
                    if (grp.size() * 2 > have.size()) {
                        major = grp;
                    }
                }
                if (major == null) {
                    conflict = true;
                    continue;
                }
                from = major.get(0);
            }
            DirEntry w = lists.get(from).get(e.getKey());
            for (int b : have) {
                DirEntry h = lists.get(b).get(e.getKey());
                int src = from;
                if (h == null || !NameHeal.same(w, h)) {
                    work.add(() -> names.install(path, src, b, w, h, h != null, have));
                } else if (NameHeal.metadataDiffers(w, h) && b != from) {
                    work.add(() -> names.metadata(path, src, b));
                }
            }
        }
        Outcome o = runAll(work);
        if (conflict) {
            markSplitBrain(dir, g, have);
            return Outcome.SPLIT_BRAIN;
        }
        if (o == Outcome.FAILED) {
            return o;
        }
        Settlement s = new Settlement(logs, away(have));
        s.resolved(Counters.ENTRY);
        int latest = CopyChoice.newest(have, timesOf(dir, have), Attr::mtime);
        Set<Integer> others = new TreeSet<>(have);
        others.remove(latest);
        finish(dir, g, latest, others, have, s);
        return work.isEmpty() ? Outcome.CLEAN : worst(Outcome.HEALED, o);
    }

    private Map<Integer, Attr> timesOf(String dir, Set<Integer> have) {
        return View.attrs(View.lookup(r, have, dir, List.of()), have);
    }

    private static String identity(DirEntry e) {
        Gfid g = e.attr() == null ? null : e.attr().gfid();
        return e.type() + ":" + (g != null ? g.hex() : e.target() != null ? e.target()
                : e.attr() != null ? Long.toString(e.attr().rdev()) : "");
    }

    /**
     * The directory's times follow the source's (a later mtime of the sink's own stays: entry operations stamp
     * max()), then its entry marks are settled everywhere.
     */
    private void finish(String dir, Gfid g, int source, Set<Integer> targets, Set<Integer> have, Settlement s) {
        if (!targets.isEmpty()) {
            FopReply img = r.call(source, FopRequest.newBuilder().setFetch(Fetch.newBuilder().setPath(dir)
                    .setGfid(Wire.gfid(g)).setMaxData(0)), Replicas.held(List.of()), false);
            r.call(targets, b -> FopRequest.newBuilder().setSetMeta(SetMeta.newBuilder().setPath(dir)
                    .setGfid(Wire.gfid(g)).setStat(img.getStat()).setTimesOnly(true)), Replicas.held(List.of()), true);
        }
        if (!s.isEmpty()) {
            // under the directory's heal key: a heal that lost it leaves the marks for the next one
            r.call(have, b -> s.request(b, dir, g, false), lock.last(have), false);
        }
    }

    private void markSplitBrain(String dir, Gfid g, Set<Integer> have) {
        LOG.warn("volume {}: {} is in entry split-brain; resolve with camelfs heal ... split-brain",
                r.spec().name(), VolumePath.display(dir));
        r.call(have, b -> FopRequest.newBuilder().setSplitBrain(SplitBrainMark.newBuilder().setGfid(Wire.gfid(g))
                .setPath(dir).setKinds(Counters.ENTRY)), Replicas.held(List.of()), false);
    }

    /** A full crawl goes on into every subdirectory and file the directory holds. */
    private void descend(String dir, int from) {
        Map<Integer, Map<String, DirEntry>> lists = list(dir, Set.of(from));
        if (lists == null) {
            return;
        }
        InodeHeal inodes = new InodeHeal(run);
        for (DirEntry e : lists.get(from).values()) {
            String path = VolumePath.child(dir, e.name());
            if (e.type() == FileType.DIRECTORY || e.type() == FileType.REGULAR) {
                Gfid child = e.attr() == null ? null : e.attr().gfid();
                run.total.incrementAndGet();
                run.submit(() -> inodes.healPath(child, path, true));
            }
        }
    }

    /** Every name with attributes (and symlink targets) of the directory on each brick; null if a brick failed. */
    private Map<Integer, Map<String, DirEntry>> list(String dir, Set<Integer> bricks) {
        Map<Integer, Map<String, DirEntry>> out = new TreeMap<>();
        for (int b : bricks) {
            Map<String, DirEntry> names = new TreeMap<>();
            long cookie = 0;
            for (;;) {
                FopReply reply;
                try {
                    reply = r.call(b, FopRequest.newBuilder().setReaddir(Readdir.newBuilder().setPath(dir)
                            .setCookie(cookie).setMaxEntries(PAGE).setStat(true)), Replicas.held(List.of()), false);
                } catch (FopException e) {
                    LOG.debug("listing {} on brick {} failed: {}", dir, b, e.getMessage());
                    return null;
                }
                for (var e : reply.getEntriesList()) {
                    DirEntry d = Wire.dirEntry(e);
                    names.put(d.name(), d);
                    cookie = d.cookie();
                }
                if (reply.getEof() || reply.getEntriesCount() == 0) {
                    break;
                }
            }
            out.put(b, names);
        }
        return out;
    }

    /** Runs the name repairs on the names pool and waits for all; the worst outcome wins. */
    private Outcome runAll(List<Supplier<Outcome>> work) {
        List<CompletableFuture<Outcome>> futures = new ArrayList<>(work.size());
        for (Supplier<Outcome> w : work) {
            futures.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return w.get();
                } catch (FopException e) {
                    LOG.debug("name heal failed: {}", e.getMessage());
                    return Outcome.FAILED;
                }
            }, run.names));
        }
        Outcome o = Outcome.CLEAN;
        for (CompletableFuture<Outcome> f : futures) {
            Outcome one = f.join();
            if (one == Outcome.HEALED) {
                run.healed.increment(); // one name repaired (batches count their names themselves)
            }
            o = worst(o, one);
        }
        return o;
    }

    private Set<Integer> away(Set<Integer> have) {
        Set<Integer> away = new TreeSet<>();
        for (int b = 0; b < r.spec().replica(); b++) {
            if (!have.contains(b)) {
                away.add(b);
            }
        }
        return away;
    }

    private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
        Set<Integer> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    /** FAILED over SPLIT_BRAIN over HEALED over CLEAN. */
    static Outcome worst(Outcome a, Outcome b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(Outcome o) {
        switch (o) {
            case FAILED:
                return 4;
            case SPLIT_BRAIN:
                return 3;
            case HEALED:
                return 2;
            case STALE:
                return 1;
            default:
                return 0;
        }
    }
}
