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
import io.camelfs.protocol.LeaseKeys;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Batch;
import io.camelfs.protocol.v1.Expunge;
import io.camelfs.protocol.v1.Fetch;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Install;
import io.camelfs.protocol.v1.LeaseStatus;
import io.camelfs.protocol.v1.Locate;
import io.camelfs.protocol.v1.Lookup;
import io.camelfs.protocol.v1.SetMeta;
import io.camelfs.protocol.v1.SyncFs;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Repairs one name of a directory on one sink, under the lease keys of that name ("e:path") and of the inodes
 * involved ("i:gfid"), after checking again under those keys that the name still needs it: installs what the
 * source has (the whole inode: data, metadata, xattrs, times, or a hard link to an inode the sink already has),
 * expunges what the source no longer has, replaces a name reused for another inode, or brings a symlink's or
 * special file's metadata in line.
 */
final class NameHeal {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NameHeal.class);
    private final HealRun run;
    private final Replicas r;

    NameHeal(HealRun run) {
        this.run = run;
        this.r = run.replicas;
    }

    /** Do the two entries name the same thing (same type and inode, target or device)? */
    static boolean same(DirEntry a, DirEntry b) {
        if (a.type() != b.type()) {
            return false;
        }
        if (a.type() == FileType.REGULAR || a.type() == FileType.DIRECTORY) {
            return a.attr() != null && b.attr() != null && Objects.equals(a.attr().gfid(), b.attr().gfid());
        }
        if (a.type() == FileType.SYMLINK) {
            return Objects.equals(a.target(), b.target());
        }
        return a.attr() != null && b.attr() != null && a.attr().rdev() == b.attr().rdev();
    }

    /** For symlinks and special files, which carry no changelog: does the metadata differ? */
    static boolean metadataDiffers(DirEntry a, DirEntry b) {
        if (a.type() == FileType.REGULAR || a.type() == FileType.DIRECTORY || a.attr() == null || b.attr() == null) {
            return false;
        }
        Attr x = a.attr();
        Attr y = b.attr();
        return x.uid() != y.uid() || x.gid() != y.gid() || x.mode() != y.mode() || !x.mtime().equals(y.mtime())
                || !x.atime().equals(y.atime());
    }

    private static List<String> keys(String path, Gfid... gfids) {
        Set<String> k = new TreeSet<>();
        k.add(LeaseKeys.entry(path));
        for (Gfid g : gfids) {
            if (g != null) {
                k.add(LeaseKeys.inode(g));
            }
        }
        return new ArrayList<>(k);
    }

    private static Gfid gfid(DirEntry e) {
        return e == null || e.attr() == null ? null : e.attr().gfid();
    }

    /**
     * Makes the name on sink what it is on source: installs it, replacing what the sink has there when replace is
     * set (the source is authoritative for the directory), else only where the sink has nothing.
     *
     * @param present bricks that take part (their changelogs of the inode are settled)
     */
    Outcome install(String path, int source, int sink, DirEntry want, DirEntry have, boolean replace,
            Collection<Integer> present) {
        LOG.debug("install {} on brick {} from brick {} (sink had {})", path, sink, source, have);
        Gfid g = gfid(want);
        List<String> keys = keys(path, g, gfid(have));
        // taking the keys and looking (the source fetches, the others look up) is one round trip
        try (Replicas.Lock lock = r.lock(keys, run.lockWait, b -> b == source
                ? FopRequest.newBuilder().setFetch(Fetch.newBuilder().setPath(path).setGfid(Wire.gfid(g))
                        .setMaxData(DataCopy.SMALL))
                : FopRequest.newBuilder().setLookup(Lookup.newBuilder().setPath(path)))) {
            Map<Integer, FopReply> replies = lock.first();
            if (!replies.containsKey(source) || !replies.containsKey(sink)) {
                return Outcome.FAILED;
            }
            FopReply fetched = replies.get(source);
            View src = View.of(source, fetched);
            if (!src.holds(g) || FileType.ofMode(src.attr().mode()) != want.type()) {
                return Outcome.CLEAN; // changed since the listing: the next crawl sees the new state
            }
            View there = View.of(sink, replies.get(sink));
            if (there.errno() == 0) {
                DirEntry now = new DirEntry(want.name(), FileType.ofMode(there.attr().mode()), 0, there.attr(),
                        want.target());
                if (sameInode(want, now, there)) {
                    return Outcome.CLEAN; // healed meanwhile (by a client's replay, or another healer)
                }
                if (!replace) {
                    return Outcome.SPLIT_BRAIN;
                }
                r.call(sink, FopRequest.newBuilder().setExpunge(Expunge.newBuilder().setPath(path)
                        .setGfid(Wire.gfid(there.attr().gfid()))), lock.held(), true);
            } else if (there.errno() != Errno.ENOENT) {
                throw new FopException(there.errno(), path + " on brick " + r.address(sink) + ": "
                        + Errno.describe(there.errno()));
            }
            if (installOn(path, source, sink, g, fetched, lock) && g != null) {
                settle(path, g, source, sink, replies, lock, present);
            }
        }
        if (want.type() == FileType.DIRECTORY) {
            // a new directory is empty on the sink: its names come next, as their own task
            run.submit(() -> new EntryHeal(run).heal(path));
        }
        return Outcome.HEALED;
    }

    /** Names worth installing in one batch: a small regular file, or anything without data, not hard-linked. */
    static boolean batchable(DirEntry e) {
        if (e.attr() == null) {
            return false;
        }
        if (e.type() == FileType.REGULAR) {
            return e.attr().size() <= BATCH_FILE && e.attr().nlink() == 1;
        }
        return true;
    }

    /** A batch holds at most this many names and this much data. */
    static final int BATCH_NAMES = 64;
    static final int BATCH_FILE = 256 << 10;
    static final int BATCH_BYTES = 8 << 20;

    /**
     * Installs names the sink lacks altogether, many per round trip: one request takes every name's keys and
     * fetches them from the source (the other bricks, the sink too, look them up), one installs them all on the sink,
     * flushed, one settles their marks everywhere and gives the keys back on every brick at once. A name that changed
     * meanwhile is left to the next crawl; so is a name the sink has by now (another healer installed it, and a
     * client may have changed it since: the listing this batch came from is older than that). Returns how many names
     * the sink has afterwards as the source had them.
     */
    int installMissing(String dir, int source, int sink, List<DirEntry> wants, Collection<Integer> present) {
        List<String> keySet = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (DirEntry w : wants) {
            String path = VolumePath.child(dir, w.name());
            paths.add(path);
            keySet.addAll(keys(path, gfid(w)));
        }
        beforeBatch.accept(dir);
        List<String> keys = new ArrayList<>(new TreeSet<>(keySet));
        Batch.Builder fetch = Batch.newBuilder();
        Batch.Builder look = Batch.newBuilder();
        for (int i = 0; i < wants.size(); i++) {
            fetch.addOps(FopRequest.newBuilder().setFetch(Fetch.newBuilder().setPath(paths.get(i))
                    .setGfid(Wire.gfid(gfid(wants.get(i)))).setMaxData(BATCH_FILE)));
            look.addOps(FopRequest.newBuilder().setLookup(Lookup.newBuilder().setPath(paths.get(i))));
        }
        // round trip 1: every brick grants the keys; the source fetches the names, the others look them up: the
        // sink to find out under the keys which names it still lacks, the rest so their marks get settled too
        int installed = 0;
        LOG.debug("install {} missing names of {} on brick {} from brick {}: {}", wants.size(), dir, sink, source,
                paths);
        try (Replicas.Lock lock = r.lock(keys, run.lockWait, b -> FopRequest.newBuilder().setBatch(b == source ? fetch
                : look))) {
            Map<Integer, FopReply> first = lock.first();
            if (!first.containsKey(source) || !first.containsKey(sink) || !held(first.get(source))
                    || !held(first.get(sink))) {
                return 0;
            }
            Batch.Builder install = Batch.newBuilder();
            List<Integer> chosen = new ArrayList<>();
            for (int i = 0; i < wants.size(); i++) {
                FopReply f = first.get(source).getReplies(i);
                View src = View.of(source, f);
                DirEntry w = wants.get(i);
                boolean whole = w.type() != FileType.REGULAR || f.getEof() || sink == r.arbiter();
                if (!src.holds(gfid(w)) || FileType.ofMode(src.attr().mode()) != w.type() || !whole) {
                    continue; // changed since the listing: the next crawl decides
                }
                if (blamedElsewhere(first, i, source, sink, gfid(w), present)) {
                    continue; // the directory's source holds a stale copy of this file: its own heal copies it
                }
                View there = View.of(sink, first.get(sink).getReplies(i));
                if (there.errno() != Errno.ENOENT) {
                    if (there.errno() == 0 && sameInode(w, new DirEntry(w.name(), FileType.ofMode(there.attr()
                            .mode()), 0, there.attr(), w.target()), there)) {
                        installed++; // installed meanwhile (by another healer): left as the sink has it
                        LOG.debug("{} is on brick {} by now: left as it is", paths.get(i), sink);
                    } else {
                        LOG.debug("{} on brick {} changed since the listing ({}): left to the next crawl",
                                paths.get(i), sink, there.errno() == 0 ? there.attr() : Errno.describe(there
                                        .errno()));
                    }
                    continue;
                }
                Install.Builder in = Install.newBuilder().setPath(paths.get(i)).setGfid(Wire.gfid(gfid(w)))
                        .setStat(f.getStat()).setTarget(f.getText()).addAllXattrs(f.getXattrsList()).setFresh(true);
                if (w.type() == FileType.REGULAR && f.getEof()) {
                    in.setData(f.getData()).setWhole(true);
                }
                install.addOps(FopRequest.newBuilder().setInstall(in));
                chosen.add(i);
            }
            if (chosen.isEmpty()) {
                return installed;
            }
            Set<Integer> away = new TreeSet<>();
            for (int b = 0; b < r.spec().replica(); b++) {
                if (!lock.bricks().contains(b)) {
                    away.add(b);
                }
            }
            Map<Integer, Settlement> settlements = new TreeMap<>();
            for (int i : chosen) {
                Gfid g = gfid(wants.get(i));
                if (g == null) {
                    continue; // symlinks and specials: their directory's entry marks cover them
                }
                Map<Integer, Changelog> observed = new TreeMap<>();
                for (Map.Entry<Integer, FopReply> e : first.entrySet()) {
                    if (e.getKey() != sink && present.contains(e.getKey()) && e.getValue().getRepliesCount() > i) {
                        View v = View.of(e.getKey(), e.getValue().getReplies(i));
                        if (v.holds(g)) {
                            observed.put(e.getKey(), v.changelog());
                        }
                    }
                }
                observed.put(sink, Changelog.CLEAN);
                Settlement st = new Settlement(observed, away);
                st.healed(source, sink, Counters.DATA | Counters.METADATA);
                settlements.put(i, st);
            }
            // round trip 2: the sink installs them all and flushes once (a syncfs costs a fraction of an fsync
            // per small file); it keeps the keys: no client may change a name there before its marks are settled
            // everywhere, or a client's operation could reach the sink alone and the others only later
            int installs = install.getOpsCount();
            install.addOps(FopRequest.newBuilder().setSyncFs(SyncFs.newBuilder()));
            FopReply done = r.call(sink, FopRequest.newBuilder().setBatch(install), lock.held(), true);
            Replicas.checked(done.getReplies(installs)); // not flushed: every mark stays
            // round trip 3: the marks of what was installed are settled where they are, and every brick gives the
            // keys back in the same request (a brick with nothing to settle gets an empty batch)
            Map<Integer, Batch.Builder> settles = new TreeMap<>();
            for (int b : lock.bricks()) {
                settles.put(b, Batch.newBuilder());
            }
            for (int k = 0; k < chosen.size(); k++) {
                if (done.getReplies(k).getErrno() != 0 || done.getReplies(k).getLease()
                        != LeaseStatus.LEASE_OK) {
                    LOG.debug("install of {} on brick {} failed: {} {}", paths.get(chosen.get(k)),
                            r.address(sink), done.getReplies(k).getLease(), done.getReplies(k).getError());
                    continue;
                }
                int i = chosen.get(k);
                DirEntry w = wants.get(i);
                installed++;
                run.bytes.add(first.get(source).getReplies(i).getData().size());
                if (w.type() == FileType.DIRECTORY) {
                    String path = paths.get(i);
                    run.submit(() -> new EntryHeal(run).heal(path));
                }
                Settlement st = settlements.get(i);
                if (st == null) {
                    continue;
                }
                for (int b : lock.bricks()) {
                    FopRequest.Builder req = st.request(b, paths.get(i), gfid(w), false);
                    if (!Settlement.isNoop(req)) {
                        settles.get(b).addOps(req);
                    }
                }
            }
            r.call(settles.keySet(), b -> FopRequest.newBuilder().setBatch(settles.get(b)),
                    lock.last(settles.keySet()), false);
        }
        return installed;
    }

    /** Tests only: runs after a batch's names were listed and before their keys are taken. */
    static volatile Consumer<String> beforeBatch = d -> { };

    private static boolean held(FopReply r) {
        return r.getLease() == LeaseStatus.LEASE_OK;
    }

    /** Does a brick other than the source and the sink blame the source's copy of this inode? */
    private static boolean blamedElsewhere(Map<Integer, FopReply> first, int i, int source, int sink, Gfid g,
            Collection<Integer> present) {
        if (g == null) {
            return false;
        }
        for (Map.Entry<Integer, FopReply> e : first.entrySet()) {
            int b = e.getKey();
            if (b == source || b == sink || !present.contains(b) || e.getValue().getRepliesCount() <= i) {
                continue;
            }
            View v = View.of(b, e.getValue().getReplies(i));
            if (v.holds(g) && v.changelog().blames(source, Counters.DATA | Counters.METADATA)) {
                return true;
            }
        }
        return false;
    }

    private boolean sameInode(DirEntry want, DirEntry now, View there) {
        if (want.type() == FileType.SYMLINK && now.type() == FileType.SYMLINK) {
            return true; // the target is compared by the directory's next heal
        }
        return same(want, now);
    }

    /**
     * Installs the name on the sink: a whole new inode (true), or a hard link to the inode the sink already has
     * under another name (false: that inode's own data and metadata heal is not done by this).
     */
    private boolean installOn(String path, int source, int sink, Gfid g, FopReply fetched, Replicas.Lock lock) {
        List<String> keys = lock.keys();
        Attr a = Wire.attr(fetched.getStat());
        if (a.isRegular() && a.nlink() > 1) {
            String other = linkTarget(sink, g, path);
            if (other != null) {
                r.call(sink, FopRequest.newBuilder().setInstall(Install.newBuilder().setPath(path)
                        .setGfid(Wire.gfid(g)).setStat(fetched.getStat()).setLinkTo(other)), Replicas.held(keys), true);
                return false;
            }
        }
        boolean whole = fetched.getEof();
        Install.Builder in = Install.newBuilder().setPath(path).setGfid(Wire.gfid(g)).setStat(fetched.getStat())
                .setTarget(fetched.getText()).addAllXattrs(fetched.getXattrsList()).setSync(a.isRegular() && whole);
        if (whole) {
            in.setData(fetched.getData()).setWhole(true);
            run.bytes.add(fetched.getData().size());
        }
        r.call(sink, FopRequest.newBuilder().setInstall(in), Replicas.held(keys), true);
        if (a.isRegular() && !whole && sink != r.arbiter()) {
            DataCopy copy = new DataCopy(r, keys, path, g);
            copy.copy(source, sink, a.size(), 0);
            run.bytes.add(copy.sent());
            r.call(sink, FopRequest.newBuilder().setSetMeta(SetMeta.newBuilder().setPath(path).setGfid(Wire.gfid(g))
                    .setStat(fetched.getStat()).setTimesOnly(true)), Replicas.held(keys), true);
        }
        if (a.isRegular()) {
            run.links.put(sink + ":" + g.hex(), path);
        }
        return true;
    }

    /** Another name of this hard-linked inode on the sink: installed earlier in this crawl, or found there. */
    private String linkTarget(int sink, Gfid g, String path) {
        String known = run.links.get(sink + ":" + g.hex());
        if (known != null) {
            return known;
        }
        FopReply r2 = r.start(sink, FopRequest.newBuilder().setLocate(Locate.newBuilder().setGfid(Wire.gfid(g))
                .setHint(path)), Replicas.held(List.of()), false).reply();
        return r2.getErrno() == 0 && !r2.getText().equals(path) ? r2.getText() : null;
    }

    /**
     * The installed inode's own marks (data and metadata the sink lacked) are settled on every brick that has it, in
     * the step that also gives the keys back. The sink's data is already on disk (the install was synced).
     */
    private void settle(String path, Gfid g, int source, int sink, Map<Integer, FopReply> replies,
            Replicas.Lock lock, Collection<Integer> present) {
        Map<Integer, Changelog> observed = new TreeMap<>();
        replies.forEach((b, reply) -> {
            if (b != sink && present.contains(b)) {
                View v = View.of(b, reply);
                if (v.holds(g)) {
                    observed.put(b, v.changelog());
                }
            }
        });
        observed.put(sink, Changelog.CLEAN);
        Set<Integer> away = new TreeSet<>();
        for (int b = 0; b < r.spec().replica(); b++) {
            if (!lock.bricks().contains(b)) {
                away.add(b);
            }
        }
        Settlement s = new Settlement(observed, away);
        s.healed(source, sink, Counters.DATA | Counters.METADATA);
        r.call(observed.keySet(), b -> s.request(b, path, g, false), lock.last(observed.keySet()), false);
    }

    /** Removes from the sink a name the source no longer has (checked again under the keys). */
    Outcome expunge(String path, int source, int sink, DirEntry have) {
        LOG.debug("expunge {} from brick {} (source brick {} lacks it)", path, sink, source);
        Gfid g = gfid(have);
        List<String> keys = keys(path, g);
        try (Replicas.Lock lock = r.lock(keys, run.lockWait, b -> FopRequest.newBuilder().setLookup(Lookup.newBuilder()
                .setPath(path)))) {
            if (!lock.first().containsKey(source) || !lock.first().containsKey(sink)) {
                return Outcome.FAILED;
            }
            View src = View.of(source, lock.first().get(source));
            View there = View.of(sink, lock.first().get(sink));
            if (src.errno() == 0 && (g == null || g.equals(src.attr().gfid()))) {
                return Outcome.CLEAN; // the source has it (again): nothing to remove
            }
            if (there.errno() != 0 || (g != null && !g.equals(there.attr().gfid()))) {
                return Outcome.CLEAN;
            }
            r.call(sink, FopRequest.newBuilder().setExpunge(Expunge.newBuilder().setPath(path)
                    .setGfid(Wire.gfid(g))), lock.held(), true);
            return Outcome.HEALED;
        }
    }

    /**
     * Removes from the sink a name that fewer than half of all bricks hold, counted again on every brick under
     * the name's keys: a create that completed meanwhile is a majority and stays.
     */
    Outcome expungeMinority(String path, int sink, DirEntry have, int replica) {
        LOG.debug("expunge {} from brick {}: a minority of the bricks holds it", path, sink);
        Gfid g = gfid(have);
        try (Replicas.Lock lock = r.lock(keys(path, g), run.lockWait, b -> FopRequest.newBuilder().setLookup(Lookup
                .newBuilder().setPath(path)))) {
            if (lock.first().size() < replica || !lock.first().containsKey(sink)) {
                return Outcome.FAILED; // every brick must be counted
            }
            int holding = 0;
            for (Map.Entry<Integer, FopReply> e : lock.first().entrySet()) {
                View v = View.of(e.getKey(), e.getValue());
                if (v.errno() == 0 && (g == null || g.equals(v.attr().gfid()))) {
                    holding++;
                }
            }
            View there = View.of(sink, lock.first().get(sink));
            if (holding * 2 >= replica || there.errno() != 0 || (g != null && !g.equals(there.attr().gfid()))) {
                return Outcome.CLEAN;
            }
            r.call(sink, FopRequest.newBuilder().setExpunge(Expunge.newBuilder().setPath(path)
                    .setGfid(Wire.gfid(g))), lock.held(), true);
            return Outcome.HEALED;
        }
    }

    /** A symlink's or special file's owner, mode and times, from the source. */
    Outcome metadata(String path, int source, int sink) {
        List<String> keys = keys(path);
        try (Replicas.Lock lock = r.lock(keys, run.lockWait)) {
            FopReply img = r.call(source, FopRequest.newBuilder().setFetch(Fetch.newBuilder().setPath(path)
                    .setMaxData(0)), Replicas.held(keys), false);
            r.call(sink, FopRequest.newBuilder().setSetMeta(SetMeta.newBuilder().setPath(path)
                    .setStat(img.getStat()).setXattrsValid(false)), Replicas.held(keys), true);
            return Outcome.HEALED;
        }
    }
}
