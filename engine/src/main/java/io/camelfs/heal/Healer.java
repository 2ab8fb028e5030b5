package io.camelfs.heal;

import io.camelfs.afr.Changelog;
import io.camelfs.afr.Counters;
import io.camelfs.afr.Replicas;
import io.camelfs.fop.Attr;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.VolumePath;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.HealCrawl;
import io.camelfs.protocol.v1.HealStats;
import io.camelfs.protocol.v1.IndexEntry;
import io.camelfs.protocol.v1.IndexKind;
import io.camelfs.protocol.v1.IndexList;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.FavoriteChildPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-heal of one volume, run by any client: a node's self-heal daemon, the CLI, or a mount healing what it read.
 * Index crawls work through the bricks' heal indices (O(what needs heal)); full crawls compare every directory and
 * file; heals run in parallel up to the volume's heal-parallelism. Each finished crawl is reported to the bricks it
 * crawled, which keep the history `heal ... statistics` shows.
 */
public final class Healer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Healer.class);
    private static final int PAGE = 10_000;
    /** heal info asks for bigger pages: 50,000 entries are about 4 MiB, far below a frame's limit. */
    private static final int INFO_PAGE = 50_000;
    private static final int ROUNDS = 3;

    private final Replicas r;
    private final String name;
    private final FavoriteChildPolicy policy;
    private final ExecutorService inodes;
    private final ExecutorService names;
    private final ScheduledExecutorService ticker;
    private final ReentrantLock crawl = new ReentrantLock();
    private final HealTotals totals = new HealTotals();

    /** @param name who heals, for the bricks' statistics ("node1", "cli on host") */
    public Healer(Replicas replicas, String name) {
        this.r = replicas;
        this.name = name;
        this.policy = replicas.spec().options().favoriteChildPolicy();
        int n = replicas.spec().options().healParallelism();
        this.inodes = Executors.newFixedThreadPool(n, daemon("heal-" + replicas.spec().name()));
        this.names = Executors.newFixedThreadPool(n, daemon("heal-" + replicas.spec().name() + "-names"));
        this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("heal-" + replicas.spec().name()
                + "-progress"));
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public Replicas replicas() {
        return r;
    }

    // ------------------------------------------------------------------------------------------------- crawls

    /** Index crawl of every brick that is up. */
    public HealReport index(HealProgress progress) {
        return index(allBricks(), progress);
    }

    /**
     * Index crawl of the given bricks' heal indices: every inode listed is healed (or found clean, or in
     * split-brain). Entries that appear while it runs are taken in a further round.
     */
    public HealReport index(Collection<Integer> bricks, HealProgress progress) {
        crawl.lock();
        try {
            HealRun run = new HealRun(r, CrawlType.INDEX, policy, inodes, names);
            List<Integer> swept = new ArrayList<>();
            for (int b : bricks) {
                if (r.isUp(b)) {
                    swept.add(b);
                }
            }
            Set<Gfid> attempted = new TreeSet<>();
            try (Ticker t = new Ticker(run, progress)) {
                for (int round = 0; round < ROUNDS; round++) {
                    Map<Gfid, IndexEntry> todo = new LinkedHashMap<>();
                    Map<Gfid, Integer> from = new TreeMap<>();
                    for (int b : swept) {
                        for (IndexKind k : List.of(IndexKind.INDEX_PENDING, IndexKind.INDEX_DIRTY,
                                IndexKind.INDEX_SPLIT_BRAIN)) {
                            for (IndexEntry e : list(b, k)) {
                                Gfid g = Wire.gfid(e.getGfid());
                                if (!attempted.contains(g) && todo.putIfAbsent(g, e) == null) {
                                    from.put(g, b);
                                }
                            }
                        }
                    }
                    if (todo.isEmpty()) {
                        break;
                    }
                    attempted.addAll(todo.keySet());
                    run.total.addAndGet(todo.size());
                    InodeHeal heal = new InodeHeal(run);
                    todo.forEach((g, e) -> run.submit(() -> heal.fromIndex(g, e.getPath(), from.get(g))));
                    run.awaitIdle();
                }
            }
            HealReport report = run.report(attempted.size());
            record(report, swept);
            return report;
        } finally {
            crawl.unlock();
        }
    }

    /** Full crawl: every directory and file compared on every brick that is up, marked or not. */
    public HealReport full(HealProgress progress) {
        crawl.lock();
        try {
            HealRun run = new HealRun(r, CrawlType.FULL, policy, inodes, names);
            try (Ticker t = new Ticker(run, progress)) {
                run.total.incrementAndGet();
                run.submit(() -> new InodeHeal(run).healPath(Gfid.ROOT, "", false));
                run.awaitIdle();
            }
            HealReport report = run.report(run.done.sum());
            record(report, r.up());
            return report;
        } finally {
            crawl.unlock();
        }
    }

    /** Heals one path now (a client found it needing heal); not recorded as a crawl. */
    public HealReport path(String path) {
        HealRun run = new HealRun(r, CrawlType.ACCESS, policy, inodes, names);
        run.total.incrementAndGet();
        run.submit(() -> new InodeHeal(run).fromAccess(VolumePath.normalize(path)));
        run.awaitIdle();
        HealReport report = run.report(1);
        totals.add(report);
        return report;
    }

    private List<Integer> allBricks() {
        List<Integer> all = new ArrayList<>();
        for (int b = 0; b < r.spec().replica(); b++) {
            all.add(b);
        }
        return all;
    }

    /** All entries of one kind in a brick's heal index, page by page. */
    private List<IndexEntry> list(int brick, IndexKind kind) {
        return list(brick, kind, PAGE);
    }

    private List<IndexEntry> list(int brick, IndexKind kind, int page) {
        List<IndexEntry> out = new ArrayList<>();
        com.google.protobuf.ByteString after = com.google.protobuf.ByteString.EMPTY;
        for (;;) {
            FopReply reply = r.call(brick, FopRequest.newBuilder().setIndexList(IndexList.newBuilder().setKind(kind)
                    .setMax(page).setAfter(after)), Replicas.held(List.of()), false);
            out.addAll(reply.getIndexList());
            if (reply.getIndexCount() < page) {
                return out;
            }
            after = reply.getIndex(reply.getIndexCount() - 1).getGfid();
        }
    }

    /** What this healer's crawls added up to since it started. */
    public HealTotals totals() {
        return totals;
    }

    private void record(HealReport report, Collection<Integer> bricks) {
        totals.add(report);
        HealCrawl c = HealCrawl.newBuilder().setType(report.type().name()).setStartMillis(report.start().toEpochMilli())
                .setEndMillis(report.end().toEpochMilli()).setHealed(report.healed()).setFailed(report.failed())
                .setSplitBrain(report.splitBrain()).setHealer(name).setBytes(report.bytes())
                .setScanned(report.scanned()).build();
        List<Integer> up = new ArrayList<>(bricks);
        up.removeIf(b -> !r.isUp(b));
        r.call(up, b -> FopRequest.newBuilder().setHealStats(HealStats.newBuilder().setReport(c)),
                Replicas.held(List.of()), false);
        if (report.scanned() > 0) {
            LOG.info("volume {}: {}", r.spec().name(), report);
        } else {
            LOG.debug("volume {}: {}", r.spec().name(), report);
        }
    }

    /** Calls the progress listener twice a second while a crawl runs, and once at its end. */
    private final class Ticker implements AutoCloseable {
        private final HealRun run;
        private final HealProgress progress;
        private final ScheduledFuture<?> task;

        Ticker(HealRun run, HealProgress progress) {
            this.run = run;
            this.progress = progress;
            this.task = progress == HealProgress.NONE ? null
                    : ticker.scheduleAtFixedRate(this::tick, 500, 500, TimeUnit.MILLISECONDS);
        }

        private void tick() {
            progress.update(run.done.sum(), run.total.get(), run.healed.sum(), run.failed.sum(),
                    Instant.now().toEpochMilli() - run.start.toEpochMilli());
        }

        @Override
        public void close() {
            if (task != null) {
                task.cancel(false);
                tick();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- views

    /** What the bricks' heal indices list, brick by brick; O(entries), no crawl. */
    public HealInfo info() {
        List<HealInfo.Brick> bricks = new ArrayList<>();
        for (int b = 0; b < r.spec().replica(); b++) {
            String address = r.address(b);
            if (!r.isUp(b)) {
                bricks.add(new HealInfo.Brick(address, "Transport endpoint is not connected ("
                        + r.downReason(b) + ")", null, 0, 0, 0));
                continue;
            }
            try {
                List<IndexEntry> pending = list(b, IndexKind.INDEX_PENDING, INFO_PAGE);
                List<IndexEntry> dirty = list(b, IndexKind.INDEX_DIRTY, INFO_PAGE);
                List<IndexEntry> split = list(b, IndexKind.INDEX_SPLIT_BRAIN, INFO_PAGE);
                // keyed by the raw gfid bytes: 100,000 entries must not cost 100,000 conversions
                Map<com.google.protobuf.ByteString, HealInfo.Entry> entries = new LinkedHashMap<>(
                        (pending.size() + dirty.size() + split.size()) * 2);
                for (IndexEntry e : split) {
                    entries.put(e.getGfid(), entry(e, true));
                }
                for (List<IndexEntry> l : List.of(pending, dirty)) {
                    for (IndexEntry e : l) {
                        if (!entries.containsKey(e.getGfid())) {
                            entries.put(e.getGfid(), entry(e, false));
                        }
                    }
                }
                bricks.add(new HealInfo.Brick(address, "Connected", new ArrayList<>(entries.values()),
                        pending.size(), dirty.size(), split.size()));
            } catch (FopException e) {
                bricks.add(new HealInfo.Brick(address, e.getMessage(), null, 0, 0, 0));
            }
        }
        return new HealInfo(r.spec().name(), bricks);
    }

    /** How many entries each brick's index holds: no listing, so it answers as fast for 10 million as for 10. */
    public HealCounts counts() {
        List<HealCounts.Brick> bricks = new ArrayList<>();
        for (int b = 0; b < r.spec().replica(); b++) {
            String address = r.address(b);
            if (!r.isUp(b)) {
                bricks.add(new HealCounts.Brick(address, false, "not connected (" + r.downReason(b) + ")", 0, 0,
                        0));
                continue;
            }
            try {
                bricks.add(new HealCounts.Brick(address, true, "Connected", total(b, IndexKind.INDEX_PENDING),
                        total(b, IndexKind.INDEX_DIRTY), total(b, IndexKind.INDEX_SPLIT_BRAIN)));
            } catch (FopException e) {
                bricks.add(new HealCounts.Brick(address, false, e.getMessage(), 0, 0, 0));
            }
        }
        return new HealCounts(r.spec().name(), bricks);
    }

    private long total(int brick, IndexKind kind) {
        return r.call(brick, FopRequest.newBuilder().setIndexList(IndexList.newBuilder().setKind(kind).setMax(1)),
                Replicas.held(List.of()), false).getTotal();
    }

    private static HealInfo.Entry entry(IndexEntry e, boolean splitBrain) {
        String path = e.getPath();
        if (!path.isEmpty()) {
            return new HealInfo.Entry("/" + path, null, splitBrain);
        }
        Gfid g = Wire.gfid(e.getGfid());
        return Gfid.ROOT.equals(g) ? new HealInfo.Entry("/", null, splitBrain)
                : new HealInfo.Entry("", g.toString(), splitBrain);
    }

    /** One crawl as a brick recorded it. */
    public record CrawlRecord(String brick, String healer, HealReport report) {
    }

    /** The crawls each brick that is up recorded, oldest first. */
    public List<CrawlRecord> statistics() {
        List<CrawlRecord> out = new ArrayList<>();
        for (int b : r.up()) {
            FopReply reply = r.call(b, FopRequest.newBuilder().setHealStats(HealStats.newBuilder()),
                    Replicas.held(List.of()), false);
            for (HealCrawl c : reply.getCrawlsList()) {
                CrawlType type;
                try {
                    type = CrawlType.valueOf(c.getType());
                } catch (IllegalArgumentException unknown) {
                    continue;
                }
                out.add(new CrawlRecord(r.address(b), c.getHealer(), new HealReport(type,
                        Instant.ofEpochMilli(c.getStartMillis()), Instant.ofEpochMilli(c.getEndMillis()),
                        c.getScanned(), c.getHealed(), c.getFailed(), c.getSplitBrain(), c.getBytes())));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ split-brain

    /** An operator's choice of the copy that wins a split-brain. */
    public sealed interface Choice permits BiggerFile, LatestMtime, SourceBrick {
    }

    public record BiggerFile() implements Choice {
    }

    public record LatestMtime() implements Choice {
    }

    public record SourceBrick(BrickAddress brick) implements Choice {
    }

    /**
     * Resolves the split-brain of one path with the operator's choice. Refuses, changing nothing, a path that does
     * not exist, is not in split-brain, or a source brick that is down or does not hold it.
     */
    public HealReport resolve(String path, Choice choice) {
        String p = VolumePath.normalize(path);
        int named = choice instanceof SourceBrick s ? brickIndex(s.brick()) : -1;
        Map<Integer, View> views = View.lookup(r, r.up(), p, List.of());
        Map<Gfid, List<Integer>> byGfid = new LinkedHashMap<>();
        views.forEach((b, v) -> {
            if (v.errno() == 0) {
                byGfid.computeIfAbsent(v.attr().gfid() == null ? Gfid.ROOT : v.attr().gfid(),
                        x -> new ArrayList<>()).add(b);
            }
        });
        if (byGfid.isEmpty()) {
            throw FopException.of(Errno.ENOENT, VolumePath.display(p));
        }
        if (named >= 0 && views.containsKey(named) && views.get(named).errno() != 0) {
            throw new FopException(Errno.ENOENT, VolumePath.display(p) + ": brick " + r.address(named)
                    + " does not hold it");
        }
        if (byGfid.size() > 1) {
            return resolveName(p, views, choice, named);
        }
        Gfid g = byGfid.keySet().iterator().next();
        Set<Integer> have = new TreeSet<>(byGfid.get(g));
        Map<Integer, Changelog> logs = View.logs(views, g);
        Map<Integer, Attr> attrs = View.attrs(views, have);
        Attr any = attrs.values().iterator().next();
        int arbiter = r.arbiter();
        Set<Integer> noData = have.contains(arbiter) ? Set.of(arbiter) : Set.of();
        boolean dataSplit = any.isRegular()
                && Verdict.of(logs, Counters.DATA, noData).state() == Verdict.State.SPLIT_BRAIN;
        boolean metaSplit = Verdict.of(logs, Counters.METADATA, Set.of()).state() == Verdict.State.SPLIT_BRAIN;
        boolean entrySplit = any.isDirectory()
                && Verdict.of(logs, Counters.ENTRY, Set.of()).state() == Verdict.State.SPLIT_BRAIN;
        if (!dataSplit && !metaSplit && !entrySplit) {
            throw new FopException(Errno.EINVAL, VolumePath.display(p) + ": not in split-brain");
        }
        Set<Integer> data = new TreeSet<>(have);
        data.removeAll(noData);
        int source = chooseSource(p, choice, named, dataSplit, data, attrs);
        HealRun run = new HealRun(r, CrawlType.ACCESS, FavoriteChildPolicy.NONE, inodes, names);
        run.forcedSource = source;
        run.total.incrementAndGet();
        run.submit(() -> new InodeHeal(run).healPath(g, p, true));
        run.awaitIdle();
        LOG.info("volume {}: split-brain of {} resolved from brick {}", r.spec().name(), VolumePath.display(p),
                r.address(source));
        return run.report(1);
    }

    private int chooseSource(String p, Choice choice, int named, boolean dataSplit, Set<Integer> data,
            Map<Integer, Attr> attrs) {
        if (choice instanceof SourceBrick) {
            if (!attrs.containsKey(named)) {
                throw new FopException(Errno.ENOENT, VolumePath.display(p) + ": brick " + r.address(named)
                        + " does not hold it");
            }
            return named;
        }
        if (!dataSplit) {
            throw new FopException(Errno.EINVAL, VolumePath.display(p) + ": not in data split-brain; "
                    + (choice instanceof BiggerFile ? "bigger-file" : "latest-mtime")
                    + " resolves data only, use source-brick");
        }
        Map<Integer, Attr> among = new TreeMap<>(attrs);
        among.keySet().retainAll(data);
        Optional<Integer> pick = choice instanceof BiggerFile ? CopyChoice.biggest(among.keySet(), among)
                : CopyChoice.latest(among.keySet(), among, Attr::mtime);
        return pick.orElseThrow(() -> new FopException(Errno.EINVAL, VolumePath.display(p) + ": the copies have"
                + (choice instanceof BiggerFile ? " the same size" : " the same mtime") + "; use source-brick"));
    }

    /** A name that bricks hold as different inodes: the chosen copy replaces the others. */
    private HealReport resolveName(String p, Map<Integer, View> views, Choice choice, int named) {
        if (p.isEmpty()) {
            throw new FopException(Errno.EINVAL, "/: not in split-brain");
        }
        Map<Integer, Attr> attrs = new TreeMap<>();
        views.forEach((b, v) -> {
            if (v.errno() == 0) {
                attrs.put(b, v.attr());
            }
        });
        int source;
        if (choice instanceof SourceBrick) {
            source = named;
        } else {
            Optional<Integer> pick = choice instanceof BiggerFile ? CopyChoice.biggest(attrs.keySet(), attrs)
                    : CopyChoice.latest(attrs.keySet(), attrs, Attr::mtime);
            source = pick.orElseThrow(() -> new FopException(Errno.EINVAL, VolumePath.display(p)
                    + ": no single copy is " + (choice instanceof BiggerFile ? "biggest" : "newest")
                    + "; use source-brick"));
        }
        HealRun run = new HealRun(r, CrawlType.ACCESS, FavoriteChildPolicy.NONE, inodes, names);
        NameHeal heal = new NameHeal(run);
        Attr a = attrs.get(source);
        DirEntry want = new DirEntry(VolumePath.name(p), a.type(), 0, a);
        Set<Integer> present = new TreeSet<>(views.keySet());
        for (int b : views.keySet()) {
            if (b == source) {
                continue;
            }
            View v = views.get(b);
            DirEntry have = v.errno() == 0 ? new DirEntry(want.name(), v.attr().type(), 0, v.attr()) : null;
            if (have != null && NameHeal.same(want, have)) {
                continue;
            }
            int sink = b;
            run.total.incrementAndGet();
            run.submit(() -> heal.install(p, source, sink, want, have, true, present));
        }
        run.awaitIdle();
        String parent = VolumePath.parent(p);
        run.submit(() -> new EntryHeal(run).heal(parent));
        run.awaitIdle();
        return run.report(1);
    }

    /** Every split-brain the bricks' indices list, resolved from the given brick (those it holds). */
    public HealReport resolveAll(BrickAddress sourceBrick) {
        int source = brickIndex(sourceBrick);
        HealRun run = new HealRun(r, CrawlType.ACCESS, FavoriteChildPolicy.NONE, inodes, names);
        run.forcedSource = source;
        Set<Gfid> seen = new TreeSet<>();
        for (int b : r.up()) {
            for (IndexEntry e : list(b, IndexKind.INDEX_SPLIT_BRAIN)) {
                Gfid g = Wire.gfid(e.getGfid());
                if (seen.add(g)) {
                    run.total.incrementAndGet();
                    run.submit(() -> new InodeHeal(run).fromIndex(g, e.getPath(), source));
                }
            }
        }
        run.awaitIdle();
        return run.report(seen.size());
    }

    /** The index of a brick of this volume that is up, or a one-line refusal. */
    private int brickIndex(BrickAddress a) {
        int i = r.spec().indexOf(a);
        if (i < 0) {
            throw new FopException(Errno.EINVAL, "brick " + a + " is not a brick of volume " + r.spec().name()
                    + " " + r.spec().bricks());
        }
        if (!r.isUp(i)) {
            throw new FopException(Errno.ENOTCONN, "brick " + a + " is down: " + r.downReason(i));
        }
        return i;
    }

    @Override
    public void close() {
        inodes.shutdownNow();
        names.shutdownNow();
        ticker.shutdownNow();
    }
}
