package io.camelfs.heal;

import io.camelfs.afr.Changelog;
import io.camelfs.afr.Counters;
import io.camelfs.afr.Replicas;
import io.camelfs.fop.Attr;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.Timespec;
import io.camelfs.fop.VolumePath;
import io.camelfs.protocol.LeaseKeys;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Fetch;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Install;
import io.camelfs.protocol.v1.Locate;
import io.camelfs.protocol.v1.SetMeta;
import io.camelfs.protocol.v1.Settle;
import io.camelfs.protocol.v1.SplitBrainMark;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heal of one inode's data and metadata, under its lease key on every brick that is up. The changelogs say which
 * copies are sources and which are sinks ({@link Verdict}); where they do not (dirty marks, a full crawl), the copies
 * are compared and the majority -- else the one changed last -- wins ({@link CopyChoice}); a split-brain is resolved
 * only by the volume's favorite-child-policy, else marked and left. A brick that lacks the inode altogether is its
 * parent directory's business: that entry heal runs first. A directory's own names are healed after its metadata.
 */
final class InodeHeal {
    private static final Logger LOG = LoggerFactory.getLogger(InodeHeal.class);

    /** Tests only: runs after a heal read the copies under the inode's key and before it repairs a small file. */
    static volatile Consumer<String> beforeRepair = p -> { };

    private final HealRun run;
    private final Replicas r;

    InodeHeal(HealRun run) {
        this.run = run;
        this.r = run.replicas;
    }

    /** An entry of a brick's heal index: found there (its recorded path first), then healed. */
    Outcome fromIndex(Gfid g, String hint, int indexBrick) {
        String path;
        try {
            path = r.call(indexBrick, FopRequest.newBuilder().setLocate(Locate.newBuilder().setGfid(Wire.gfid(g))
                    .setHint(hint).setIndexed(run.type == CrawlType.INDEX)), Replicas.held(List.of()), false)
                    .getText();
        } catch (FopException e) {
            if (e.errno() == Errno.EALREADY) {
                return Outcome.CLEAN; // healed since the index was listed (by its directory's heal, usually)
            }
            if (e.errno() != Errno.ENOENT) {
                return Outcome.FAILED;
            }
            r.call(List.of(indexBrick), b -> FopRequest.newBuilder().setSettle(Settle.newBuilder()
                    .setGfid(Wire.gfid(g)).setForget(true)), Replicas.held(List.of()), false);
            return Outcome.STALE;
        }
        return healPath(g, path, true);
    }

    /** A path a client found needing heal. */
    Outcome fromAccess(String path) {
        Map<Integer, View> views = View.lookup(r, r.up(), path, List.of());
        for (View v : views.values()) {
            if (v.errno() == 0 && v.attr().gfid() != null) {
                return healPath(v.attr().gfid(), path, true);
            }
        }
        // missing somewhere, or a symlink or special file (no gfid): its directory's names decide
        return path.isEmpty() ? Outcome.CLEAN : new EntryHeal(run).heal(VolumePath.parent(path));
    }

    Outcome healPath(Gfid g, String path, boolean mayHealParent) {
        if (g == null) {
            return Outcome.CLEAN; // a regular file or directory without a gfid yet: a lookup assigns one first
        }
        List<String> keys = List.of(LeaseKeys.inode(g));
        Outcome o;
        boolean missing;
        boolean directory;
        // taking the key and fetching every copy (attributes, changelog, xattrs, and a small file's data) is one
        // round trip; a copy that is missing answers ENOENT
        try (Replicas.Lock lock = r.lock(keys, run.lockWait, b -> FopRequest.newBuilder().setFetch(Fetch.newBuilder()
                .setPath(path).setGfid(Wire.gfid(g)).setMaxData(DataCopy.SMALL)))) {
            Map<Integer, View> views = new TreeMap<>();
            lock.first().forEach((b, reply) -> views.put(b, fetched(b, reply, path, g)));
            Set<Integer> have = new TreeSet<>();
            views.forEach((b, v) -> {
                if (v.holds(g)) {
                    have.add(b);
                }
            });
            if (have.isEmpty()) {
                return Outcome.CLEAN; // moved or removed since it was found: whoever did it left it consistent
            }
            missing = have.size() < views.size();
            directory = views.get(have.iterator().next()).attr().isDirectory();
            o = kinds(g, path, views, have, lock, lock.first());
        } catch (FopException e) {
            LOG.debug("heal of {} ({}) did not finish: {}", VolumePath.display(path), g, e.getMessage());
            return Outcome.FAILED;
        }
        if (missing && !path.isEmpty()) {
            if (!mayHealParent) {
                return EntryHeal.worst(o, Outcome.FAILED);
            }
            // the parent's heal counts what it repaired; this inode's own outcome is what remains after it
            Outcome p = new EntryHeal(run).heal(VolumePath.parent(path));
            Outcome again = healPath(g, path, false);
            return p == Outcome.FAILED || p == Outcome.SPLIT_BRAIN ? EntryHeal.worst(p, again) : again;
        }
        if (directory) {
            return EntryHeal.worst(o, new EntryHeal(run).heal(path));
        }
        return o;
    }

    /** Which copy to make the others like, for one kind. */
    private record Plan(int source, Set<Integer> targets, boolean copy, boolean split, boolean resolved) {
        static final Plan NOTHING = new Plan(-1, Set.of(), false, false, false);
    }

    private Plan plan(Verdict v, Set<Integer> candidates, Map<Integer, Attr> attrs, int preferred,
            Supplier<Map<Integer, String>> fingerprints) {
        switch (v.state()) {
            case HEAL: {
                int s = v.source(preferred);
                return new Plan(s, v.targets(s, attrs.keySet()), true, false, true);
            }
            case CLEAN:
                if (run.type != CrawlType.FULL || candidates.size() < 2) {
                    return Plan.NOTHING;
                }
                return differing(fingerprints.get(), Set.of(), attrs, false);
            case COMPARE: {
                Set<Integer> sure = new TreeSet<>(candidates);
                sure.removeAll(v.dirty());
                return differing(fingerprints.get(), sure, attrs, true);
            }
            default: {
                if (run.forcedSource >= 0 && candidates.contains(run.forcedSource)) {
                    return new Plan(run.forcedSource, others(attrs.keySet(), run.forcedSource), true, false, true);
                }
                Map<Integer, String> fp = fingerprints.get();
                if (new TreeSet<>(fp.values()).size() == 1) {
                    // each copy blames another, yet they hold the same: nothing to choose
                    int s = fp.keySet().iterator().next();
                    return new Plan(s, others(attrs.keySet(), s), false, false, true);
                }
                Map<Integer, Attr> among = new TreeMap<>(attrs);
                among.keySet().retainAll(candidates);
                var pick = CopyChoice.favorite(run.policy, among, fp);
                if (pick.isEmpty()) {
                    return new Plan(-1, Set.of(), false, true, false);
                }
                LOG.info("volume {}: split-brain resolved by favorite-child-policy {}: brick {} wins",
                        r.spec().name(), run.policy, r.address(pick.get()));
                return new Plan(pick.get(), others(attrs.keySet(), pick.get()), true, false, true);
            }
        }
    }

    private static Set<Integer> others(Set<Integer> all, int source) {
        Set<Integer> t = new TreeSet<>(all);
        t.remove(source);
        return t;
    }

    /** The copies compared: those unlike the winner are the targets. */
    private static Plan differing(Map<Integer, String> fp, Set<Integer> preferred, Map<Integer, Attr> attrs,
            boolean resolved) {
        if (new TreeSet<>(fp.values()).size() <= 1) {
            return new Plan(-1, Set.of(), false, false, resolved);
        }
        int w = CopyChoice.winner(fp, preferred, attrs);
        Set<Integer> t = new TreeSet<>();
        fp.forEach((b, f) -> {
            if (!f.equals(fp.get(w))) {
                t.add(b);
            }
        });
        return new Plan(w, t, true, false, resolved);
    }

    private Outcome kinds(Gfid g, String path, Map<Integer, View> views, Set<Integer> have, Replicas.Lock lock,
            Map<Integer, FopReply> fetched) {
        List<String> keys = lock.keys();
        Map<Integer, Changelog> logs = View.logs(views, g);
        Map<Integer, Attr> attrs = View.attrs(views, have);
        Set<Integer> away = new TreeSet<>();
        for (int b = 0; b < r.spec().replica(); b++) {
            if (!lock.bricks().contains(b)) {
                away.add(b);
            }
        }
        Settlement settle = new Settlement(logs, away);
        int arbiter = r.arbiter();
        int preferred = have.iterator().next();
        int split = 0;
        boolean changed = false;
        Map<Integer, FopReply> images = new TreeMap<>(fetched);
        images.keySet().retainAll(have);

        Plan m = plan(Verdict.of(logs, Counters.METADATA, Set.of()), have, attrs, preferred,
                () -> Fingerprints.metadata(images));
        if (m.split()) {
            split |= Counters.METADATA;
        }
        Set<Integer> metaDone = new TreeSet<>();
        Set<Integer> synced = new TreeSet<>();
        // each copy's mtime as the repairs below leave it (null: stamped by the target's own clock)
        Map<Integer, Timespec> mtimes = new TreeMap<>();
        have.forEach(b -> mtimes.put(b, attrs.get(b).mtime()));
        int timesFrom = -1;

        if (attrs.get(preferred).isRegular()) {
            Set<Integer> noSource = have.contains(arbiter) ? Set.of(arbiter) : Set.of();
            Set<Integer> data = new TreeSet<>(have);
            data.removeAll(noSource);
            long maxSize = attrs.values().stream().mapToLong(Attr::size).max().orElse(0);
            Plan p = plan(Verdict.of(logs, Counters.DATA, noSource), data, attrs, preferred,
                    () -> Fingerprints.data(r, data, path, g, keys, maxSize));
            if (p.split()) {
                split |= Counters.DATA;
            }
            FopReply src = p.source() >= 0 ? fetched.get(p.source()) : null;
            if (p.copy() && src != null && src.getEof()) {
                // a small file: its data, metadata and times in one install on each target (the same inode).
                // Only the inode's key is held, not its name's: a client may unlink or rename the name meanwhile,
                // so the install rewrites the inode that is there and never creates one (a deleted name stays gone)
                boolean withMeta = !m.split() && (m.targets().isEmpty() || m.source() == p.source());
                Set<Integer> targets = new TreeSet<>(p.targets());
                beforeRepair.accept(path);
                r.call(targets, b -> FopRequest.newBuilder().setInstall(Install.newBuilder()
                        .setPath(path).setGfid(Wire.gfid(g)).setStat(src.getStat())
                        .addAllXattrs(withMeta ? src.getXattrsList() : images.get(b).getXattrsList())
                        .setData(src.getData()).setWhole(true).setSync(true).setExisting(true)), lock.held(), true)
                        .forEach((b, reply) -> Replicas.checked(reply));
                for (int t : targets) {
                    run.bytes.add(t == arbiter ? 0 : src.getData().size());
                    mtimes.put(t, attrs.get(p.source()).mtime());
                    if (withMeta && m.targets().contains(t)) {
                        metaDone.add(t);
                        settle.healed(p.source(), t, Counters.METADATA);
                    }
                }
            } else if (p.copy()) {
                for (int t : p.targets()) {
                    if (t != arbiter) {
                        DataCopy c = new DataCopy(r, keys, path, g);
                        c.copy(p.source(), t, attrs.get(p.source()).size(), attrs.get(t).size());
                        run.bytes.add(c.sent());
                        synced.add(t);
                    }
                    mtimes.put(t, null); // the copy's writes stamped the target's own clock (the arbiter: none)
                }
            }
            if (m.split()) {
                // times are metadata in split-brain, the operator's to choose (latest-mtime): only the copies this
                // heal rewrote get their source's
                timesFrom = p.copy() ? p.source() : -1;
                mtimes.values().removeIf(Objects::nonNull);
            } else if (!p.split() && !data.isEmpty()) {
                // the copies end with one mtime: a metadata repair's source's (utimensat is metadata) unless that
                // copy missed data the others got, else the data source's, else the newest -- equal copies whose
                // marks are answered, where a data operation in doubt (a truncate to the same size, say) stamped
                // its time on some only
                boolean metaSourceMissedData = p.copy() && p.targets().contains(m.source());
                timesFrom = !m.targets().isEmpty() && !metaSourceMissedData ? m.source()
                        : p.copy() ? p.source() : CopyChoice.newest(data, attrs, Attr::mtime);
            }
            for (int t : p.targets()) {
                settle.healed(p.source(), t, Counters.DATA);
                changed = true;
            }
            if (p.resolved()) {
                settle.resolved(Counters.DATA);
            }
        }

        Set<Integer> metaTargets = new TreeSet<>(m.targets());
        metaTargets.removeAll(metaDone);
        if (!metaTargets.isEmpty()) {
            FopReply img = images.get(m.source());
            r.call(metaTargets, b -> FopRequest.newBuilder().setSetMeta(SetMeta.newBuilder().setPath(path)
                    .setGfid(Wire.gfid(g)).setStat(img.getStat()).addAllXattrs(img.getXattrsList())
                    .setXattrsValid(true)), lock.held(), true).forEach((b, reply) -> Replicas.checked(reply));
            for (int t : metaTargets) {
                settle.healed(m.source(), t, Counters.METADATA);
                mtimes.put(t, attrs.get(m.source()).mtime());
            }
        }
        changed |= !m.targets().isEmpty();
        if (m.resolved()) {
            settle.resolved(Counters.METADATA);
        }
        Set<Integer> timesFor = new TreeSet<>();
        if (timesFrom >= 0) {
            Timespec want = attrs.get(timesFrom).mtime();
            mtimes.forEach((b, t) -> {
                if (!want.equals(t)) {
                    timesFor.add(b);
                }
            });
        }
        if (!timesFor.isEmpty()) {
            FopReply img = images.get(timesFrom);
            r.call(timesFor, b -> FopRequest.newBuilder().setSetMeta(SetMeta.newBuilder().setPath(path)
                    .setGfid(Wire.gfid(g)).setStat(img.getStat()).setTimesOnly(true)), lock.held(), true)
                    .forEach((b, reply) -> Replicas.checked(reply));
        }
        if (!settle.isEmpty()) {
            Set<Integer> rest = new TreeSet<>(have);
            if (!synced.isEmpty()) {
                // copied sinks first, flushed: a repair is on disk before any source forgets it was needed
                r.call(synced, b -> settle.request(b, path, g, true), lock.held(), false)
                        .forEach((b, reply) -> Replicas.checked(reply));
                rest.removeAll(synced);
            }
            r.call(rest, b -> settle.request(b, path, g, false), lock.last(rest), false);
        }
        if (split != 0) {
            int kinds = split;
            LOG.warn("volume {}: {} ({}) is in {} split-brain; resolve with camelfs heal ... split-brain",
                    r.spec().name(), VolumePath.display(path), g, Counters.kindNames(kinds));
            r.call(have, b -> FopRequest.newBuilder().setSplitBrain(SplitBrainMark.newBuilder().setGfid(Wire.gfid(g))
                    .setPath(path).setKinds(kinds)), Replicas.held(List.of()), false);
            return Outcome.SPLIT_BRAIN;
        }
        return changed ? Outcome.HEALED : Outcome.CLEAN;
    }

    /** A Fetch reply as a view: ESTALE (another inode at the path) means this inode is not there. */
    private static View fetched(int brick, FopReply reply, String path, Gfid g) {
        View v = View.of(brick, reply);
        return v.errno() == Errno.ESTALE ? new View(brick, Errno.ENOENT, null, Changelog.CLEAN) : v;
    }

    private FopReply image(int brick, String path, Gfid g, List<String> keys) {
        return r.call(brick, FopRequest.newBuilder().setFetch(Fetch.newBuilder().setPath(path).setGfid(Wire.gfid(g))
                .setMaxData(0)), Replicas.held(keys), false);
    }
}
