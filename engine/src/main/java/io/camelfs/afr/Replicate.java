package io.camelfs.afr;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.camelfs.fop.Attr;
import io.camelfs.fop.Caller;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.LockRequest;
import io.camelfs.fop.LockResult;
import io.camelfs.fop.QuorumException;
import io.camelfs.fop.SetAttr;
import io.camelfs.fop.StatFs;
import io.camelfs.fop.Timespec;
import io.camelfs.fop.VolumePath;
import io.camelfs.protocol.BrickClient;
import io.camelfs.protocol.BrickRefusedException;
import io.camelfs.protocol.BrickUnavailableException;
import io.camelfs.protocol.LeaseKeys;
import io.camelfs.protocol.Transport;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Create;
import io.camelfs.protocol.v1.Fallocate;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Fsync;
import io.camelfs.protocol.v1.Getxattr;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.LeaseMode;
import io.camelfs.protocol.v1.LeaseStatus;
import io.camelfs.protocol.v1.Link;
import io.camelfs.protocol.v1.Listxattr;
import io.camelfs.protocol.v1.Lock;
import io.camelfs.protocol.v1.LockCmd;
import io.camelfs.protocol.v1.LockType;
import io.camelfs.protocol.v1.Lookup;
import io.camelfs.protocol.v1.Mark;
import io.camelfs.protocol.v1.Mkdir;
import io.camelfs.protocol.v1.Mknod;
import io.camelfs.protocol.v1.Read;
import io.camelfs.protocol.v1.Readdir;
import io.camelfs.protocol.v1.Readlink;
import io.camelfs.protocol.v1.Removexattr;
import io.camelfs.protocol.v1.Rename;
import io.camelfs.protocol.v1.Rmdir;
import io.camelfs.protocol.v1.SetGfid;
import io.camelfs.protocol.v1.Setattr;
import io.camelfs.protocol.v1.Setxattr;
import io.camelfs.protocol.v1.Statfs;
import io.camelfs.protocol.v1.Symlink;
import io.camelfs.protocol.v1.Time;
import io.camelfs.protocol.v1.Truncate;
import io.camelfs.protocol.v1.Undo;
import io.camelfs.protocol.v1.Unlink;
import io.camelfs.protocol.v1.Write;
import io.camelfs.volume.VolumeSpec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * AFR, the replicate layer: every mutating operation goes to all bricks that are up, in parallel, as one request
 * each. The request carries what GlusterFS spends extra round trips on: the blame for bricks known to be down
 * (recorded by the brick in the same operation), the lease keys the operation orders on (granted on the spot when
 * nobody else holds them), and the settled watermark that replaces the post-op. When a brick fails mid-operation
 * the bricks that succeeded record pending counters blaming it. Reads come from a brick nobody blames.
 *
 * <p>Concurrent writers: a brick applies an operation only if this client holds its lease keys there. If another
 * client holds them on some brick, this client undoes what it applied above the first refusing brick, takes the
 * leases in brick order (blocking, so two clients cannot deadlock) and replays the operation, which every brick
 * applies idempotently. Either way all bricks apply the clients' operations in the same order.
 */
public final class Replicate implements FileOps {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Replicate.class);
    private static final int MAX_ATTEMPTS = 6;

    /** What this client did, for metrics: operations, lease conflicts resolved, and blame recorded. */
    public record Stats(long mutations, long contentions, long blamed) {
    }

    private static final int READDIR_PAGE = 1000;
    private final ReplicaSet set;
    private final Caller caller;

    private Replicate(ReplicaSet set, Caller caller) {
        this.set = set;
        this.caller = caller;
    }

    /** Connects to every brick of the volume; bricks that do not answer start out down and are retried. */
    public static Replicate connect(VolumeSpec spec, String clientName) {
        return connect(spec, clientName, null);
    }

    /** @param transport how to reach the bricks; null: as the volume's options say (plain TCP or its TLS files) */
    public static Replicate connect(VolumeSpec spec, String clientName, Transport transport) {
        return new Replicate(new ReplicaSet(spec, clientName, transport), Caller.ROOT);
    }

    public VolumeSpec spec() {
        return set.spec;
    }

    /** Indices of the bricks this client currently considers up. */
    public List<Integer> upBricks() {
        return set.up();
    }

    public boolean isUp(int brick) {
        return set.brick(brick).isUp();
    }

    public String downReason(int brick) {
        return set.brick(brick).downReason();
    }

    /** Is the write quorum met right now? */
    public boolean quorumMet() {
        return set.quorum.met(set.up(), set.spec.replica());
    }

    public void onBrickStateChange(Consumer<String> listener) {
        set.onStateChange(listener);
    }

    /**
     * Does this client hold the inode's lease right now? Then nobody else can have changed the inode since this
     * client last did, so what it was told about it still holds: the basis of a mount's attribute cache.
     */
    public boolean holdsLease(Gfid gfid) {
        return gfid != null && set.holds(LeaseKeys.inode(gfid));
    }

    /**
     * Whether this client knows dir's listing right now: then every other client's change of a name in dir, or of
     * dir's place in the tree, recalls a lease from it first (see {@code Listings}).
     */
    public boolean knowsListing(String dir) {
        return listingsTrusted() && set.listings.knows(VolumePath.normalize(dir));
    }

    /** Told the inodes whose lease was recalled ("i:GFID" keys), or null when every lease must be presumed gone. */
    public void onLeaseRecall(Consumer<List<String>> listener) {
        set.onRecall(listener);
    }

    /**
     * Told the paths that lookups and reads found needing heal (a copy blamed, dirty or missing); they were served
     * from a good copy. Called on the caller's thread: listeners only queue.
     */
    public void onNeedsHeal(Consumer<String> listener) {
        set.onNeedsHeal(listener);
    }

    /** The bricks one by one, beneath AFR's decisions: what self-heal works with. */
    public Replicas replicas() {
        return new Replicas(set);
    }

    public Stats stats() {
        return new Stats(set.mutations.sum(), set.contentions.sum(), set.blamed.sum());
    }

    ReplicaSet replicaSet() {
        return set;
    }

    @Override
    public FileOps as(Caller c) {
        return c.equals(caller) ? this : new Replicate(set, c);
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("replicate ").append(set.spec.name()).append(": replica ").append(set.spec.replica())
                .append(", quorum ").append(set.quorum).append(", brick timeout ")
                .append(set.timeout.toMillis()).append(" ms");
        for (int i = 0; i < set.spec.replica(); i++) {
            sb.append("\n  client ").append(set.brick(i));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        set.close();
    }

    // ======================================================================================== fan-out machinery

    /** Replies of one request sent to some bricks: a reply, or the transport failure, per brick. */
    private static final class Replies {
        final Map<Integer, FopReply> ok = new TreeMap<>();
        final Map<Integer, Throwable> failed = new TreeMap<>();

        List<Integer> answered() {
            return new ArrayList<>(ok.keySet());
        }
    }

    private Header.Builder header(List<Integer> blame, List<String> keys) {
        Header.Builder h = Header.newBuilder().setUid(caller.uid()).setGid(caller.gid());
        if (!blame.isEmpty()) {
            h.addAllBlame(blame);
        }
        if (!keys.isEmpty()) {
            h.setLeaseMode(LeaseMode.LEASE_ACQUIRE).addAllLeases(keys);
        }
        return h;
    }

    /** Sends a request to each listed brick in parallel and waits for every answer (each has a deadline). */
    private Replies fanout(List<Integer> targets, IntFunction<FopRequest.Builder> request, Header.Builder header,
            boolean mutating, List<long[]> sequences) {
        return fanout(targets, request, header, mutating, sequences, set.timeout);
    }

    /** Writes the request to every brick first, then collects the replies: one round trip for all of them. */
    private Replies fanout(List<Integer> targets, IntFunction<FopRequest.Builder> request, Header.Builder header,
            boolean mutating, List<long[]> sequences, Duration deadline) {
        Map<Integer, BrickClient.Pending<FopReply>> pending = new TreeMap<>();
        for (int b : targets) {
            BrickClient.Sent s = set.brick(b).send(request.apply(b), header.clone(), mutating, deadline);
            if (mutating) {
                sequences.add(new long[] {b, s.seq()});
            }
            pending.put(b, s.reply());
        }
        Replies r = new Replies();
        for (Map.Entry<Integer, BrickClient.Pending<FopReply>> e : pending.entrySet()) {
            try {
                r.ok.put(e.getKey(), e.getValue().get());
            } catch (BrickUnavailableException | BrickRefusedException ex) {
                r.failed.put(e.getKey(), ex);
            }
        }
        return r;
    }

    private static <T> T await(BrickClient.Pending<T> p) {
        try {
            return p.get();
        } catch (BrickUnavailableException | BrickRefusedException e) {
            throw new FopException(Errno.ENOTCONN, e.getMessage(), e);
        }
    }

    private void settle(List<long[]> sequences) {
        for (long[] s : sequences) {
            set.brick((int) s[0]).settle(s[1]);
        }
    }

    private List<Integer> requireQuorum(String path) {
        List<Integer> up = set.up();
        if (!set.quorum.met(up, set.spec.replica())) {
            throw new QuorumException(Errno.EROFS, "volume " + set.spec.name() + " is read-only: " + up.size()
                    + " of " + set.spec.replica() + " bricks up " + up + ", " + set.quorum.describe(set.spec.replica())
                    + " (" + VolumePath.display(path) + ")");
        }
        return up;
    }

    private List<Integer> down(List<Integer> up) {
        List<Integer> d = new ArrayList<>();
        for (int i = 0; i < set.spec.replica(); i++) {
            if (!up.contains(i)) {
                d.add(i);
            }
        }
        return d;
    }

    /** One mutating operation, described so the fan-out machinery can send, undo and replay it. */
    private static final class Mutation {
        final String path;
        final List<String> keys;
        /** Keys no other client may hold when this applies (directory listing keys), not taken. */
        List<String> clear = List.of();
        final IntFunction<FopRequest.Builder> request;
        IntFunction<FopRequest.Builder> undo;
        /** Errors that mean "already so" when another brick really did it (ENOENT for unlink). */
        Predicate<Integer> alreadyDone = e -> false;
        /** Entry creation: EEXIST on some bricks only is resolved by a lookup rather than by blame. */
        boolean creates;
        /** Changes file data: refused where the arbiter would end up the only good copy. */
        boolean data;
        /** The client's time, the same for every attempt, so a replay stamps what the first attempt stamped. */
        final Time time = Wire.time(Timespec.of(Instant.now()));

        Mutation(String path, List<String> keys, IntFunction<FopRequest.Builder> request) {
            this.path = path;
            this.keys = keys;
            this.request = request;
        }

        /** An entry operation: its keys plus the listing keys of the directories it changes. */
        Mutation(String path, EntryKeys keys, IntFunction<FopRequest.Builder> request) {
            this(path, keys.taken(), request);
            this.clear = keys.cleared();
        }

        /** What a contended replay waits for: the keys and the keys to clear. */
        List<String> waitKeys() {
            if (clear.isEmpty()) {
                return keys;
            }
            List<String> all = new ArrayList<>(keys);
            all.addAll(clear);
            return all;
        }
    }

    /** What a mutation achieved: the reply of the first brick that applied it, and all that did. */
    private record Outcome(FopReply reply, List<Integer> applied) {
        Attr attr() {
            return reply.hasStat() ? Wire.attr(reply.getStat()) : null;
        }
    }

    /** The keys this client orders its own operations on: a listing key orders nothing (names differ). */
    private static List<String> ordered(List<String> keys) {
        for (String k : keys) {
            if (k.startsWith(LeaseKeys.LISTING)) {
                List<String> out = new ArrayList<>(keys);
                out.removeIf(x -> x.startsWith(LeaseKeys.LISTING));
                return out;
            }
        }
        return keys;
    }

    /** Listings are used only while every brick is up: one coming back may hold changes made while it was away. */
    private boolean listingsTrusted() {
        return set.allUp();
    }

    private EntryKeys entryKeys() {
        return new EntryKeys(set.listings, listingsTrusted());
    }

    /**
     * Runs an entry operation and keeps this client's listings current: each (path, added) pair is a name it adds
     * or removes. If it fails, what happened in those directories is not known for sure, so they are forgotten.
     */
    private Outcome changeEntries(Mutation m, String path, boolean added, String path2, boolean added2) {
        long start = System.nanoTime();
        try {
            Outcome o = mutate(m);
            set.listings.changed(path, added, start);
            if (path2 != null) {
                set.listings.changed(path2, added2, start);
            }
            return o;
        } catch (RuntimeException e) {
            set.listings.forget(VolumePath.parent(path));
            if (path2 != null) {
                set.listings.forget(VolumePath.parent(path2));
            }
            throw e;
        }
    }

    private Outcome changeEntries(Mutation m, String path, boolean added) {
        return changeEntries(m, path, added, null, false);
    }

    private Outcome mutate(Mutation m) {
        set.mutations.increment();
        try (KeyLocks.Held held = set.keyLocks.lock(ordered(m.keys))) {
            List<long[]> sequences = new ArrayList<>();
            try {
                return mutateLocked(m, sequences);
            } finally {
                settle(sequences);
            }
        }
    }

    /**
     * Bricks that applied the mutation in an attempt that another brick refused (its lease was held elsewhere):
     * the replay applies it everywhere, but if no replay succeeds they are the only ones that have it.
     */
    private Outcome mutateLocked(Mutation m, List<long[]> sequences) {
        Set<Integer> partial = new TreeSet<>();
        try {
            return attempts(m, sequences, partial);
        } catch (RuntimeException e) {
            if (!partial.isEmpty()) {
                // given up after some bricks applied it: its outcome differs between bricks and nothing says so
                // yet; dirty marks there make heal compare the copies instead of leaving them different
                LOG.debug("{}: abandoned after bricks {} applied it: marked dirty ({})", VolumePath.display(m.path),
                        partial, e.getMessage());
                List<Integer> others = new ArrayList<>();
                for (int b = 0; b < set.spec.replica(); b++) {
                    if (!partial.contains(b)) {
                        others.add(b);
                    }
                }
                try {
                    mark(m, new ArrayList<>(partial), others, true, sequences);
                } catch (RuntimeException markFailed) {
                    e.addSuppressed(markFailed);
                }
            }
            throw e;
        }
    }

    private Outcome attempts(Mutation m, List<long[]> sequences, Set<Integer> partial) {
        for (int attempt = 1;; attempt++) {
            long start = System.nanoTime();
            List<Integer> up = requireQuorum(m.path);
            List<Integer> missed = down(up);
            if (m.data && !missed.isEmpty()) {
                requireDataSourceBesidesArbiter(m.path, up);
            }
            Replies r = fanout(up, m.request, header(missed, m.keys).setTime(m.time).addAllClear(m.clear), true,
                    sequences);
            List<Integer> refused = new ArrayList<>();
            for (Map.Entry<Integer, FopReply> e : r.ok.entrySet()) {
                if (e.getValue().getLease() != LeaseStatus.LEASE_OK) {
                    refused.add(e.getKey());
                }
            }
            if (!refused.isEmpty()) {
                for (Map.Entry<Integer, FopReply> e : r.ok.entrySet()) {
                    if (e.getValue().getLease() == LeaseStatus.LEASE_OK && e.getValue().getErrno() == 0
                            && (m.undo == null || e.getKey() < refused.get(0))) {
                        partial.add(e.getKey()); // above the first refusing brick, a creation is undone
                    }
                }
                if (attempt >= MAX_ATTEMPTS) {
                    throw new FopException(Errno.EAGAIN, VolumePath.display(m.path)
                            + ": another client kept the lease through " + attempt + " attempts");
                }
                set.contentions.increment();
                resolveContention(m, r, up, refused, sequences);
                continue;
            }
            List<Integer> applied = new ArrayList<>();
            List<Integer> failed = new ArrayList<>();
            for (Map.Entry<Integer, FopReply> e : r.ok.entrySet()) {
                (e.getValue().getErrno() == 0 ? applied : failed).add(e.getKey());
            }
            if (!applied.isEmpty()) {
                failed.removeIf(b -> m.alreadyDone.test(r.ok.get(b).getErrno()));
            }
            if (applied.isEmpty()) {
                if (!failed.isEmpty()) {
                    FopReply refusal = refusal(m.path, r.ok, failed);
                    throw new FopException(refusal.getErrno(), refusal.getError().isEmpty()
                            ? VolumePath.display(m.path) + ": " + Errno.describe(refusal.getErrno())
                            : refusal.getError());
                }
                throw new FopException(Errno.ENOTCONN, VolumePath.display(m.path) + ": no brick of volume "
                        + set.spec.name() + " answered (" + r.failed.values().stream().findFirst()
                                .map(Throwable::getMessage).orElse("all down") + ")");
            }
            if (m.creates && failed.stream().anyMatch(b -> r.ok.get(b).getErrno() == Errno.EEXIST)) {
                if (existsFor(m.path)) {
                    undo(m, applied, sequences);
                    FopReply ex = r.ok.get(failed.stream().filter(b -> r.ok.get(b).getErrno() == Errno.EEXIST)
                            .findFirst().get());
                    throw new FopException(Errno.EEXIST, ex.getError());
                }
            }
            List<Integer> missing = new ArrayList<>(failed);
            missing.addAll(r.failed.keySet());
            if (!set.quorum.met(applied, set.spec.replica())) {
                // the op fails: never let the minority copy become the source of a write reported as failed
                String fate;
                if (m.undo != null) {
                    undo(m, applied, sequences);
                    fate = "undone";
                } else {
                    mark(m, applied, missing, true, sequences);
                    fate = "marked dirty for heal, which keeps the majority's copy";
                }
                throw new QuorumException(Errno.ENOTCONN, VolumePath.display(m.path) + ": reached only bricks "
                        + applied + " of volume " + set.spec.name() + " (" + missedBecause(r, failed, missed) + "), "
                        + set.quorum.describe(set.spec.replica()) + "; " + fate);
            }
            if (!missing.isEmpty()) {
                set.blamed.increment();
                applied = mark(m, applied, missing, false, sequences);
                if (!set.quorum.met(applied, set.spec.replica())) {
                    throw new QuorumException(Errno.ENOTCONN, VolumePath.display(m.path) + ": bricks failed while"
                            + " recording the outcome; " + set.quorum.describe(set.spec.replica()) + " not met");
                }
            }
            if (r.failed.isEmpty() && !m.keys.isEmpty()) {
                set.granted(m.keys, start); // every brick that is up granted every key
            }
            partial.clear(); // applied (or blamed) everywhere: the earlier attempts are part of this outcome
            return new Outcome(r.ok.get(applied.get(0)), applied);
        }
    }

    /** Why each brick that did not apply an operation did not: its error, its connection's failure, or down. */
    private static String missedBecause(Replies r, List<Integer> refused, List<Integer> down) {
        List<String> why = new ArrayList<>();
        for (int b : refused) {
            why.add("brick " + b + ": " + Errno.name(r.ok.get(b).getErrno()));
        }
        r.failed.forEach((b, e) -> why.add("brick " + b + ": " + e.getMessage()));
        for (int b : down) {
            why.add("brick " + b + ": down");
        }
        return String.join(", ", why);
    }

    /**
     * The error of an operation every brick refused. Where they disagree, a brick missed a change heal has yet to
     * bring (ENOENT from the one that missed a mkdir, EISDIR from the rest): the bricks that are entry sources for
     * the parent give the answer.
     */
    private FopReply refusal(String path, Map<Integer, FopReply> ok, List<Integer> failed) {
        FopReply first = ok.get(failed.get(0));
        if (failed.stream().allMatch(b -> ok.get(b).getErrno() == first.getErrno())) {
            return first;
        }
        Map<Integer, FopReply> looked = lookups(set.up(), path).ok;
        Set<Integer> sources = entrySources(path, looked.keySet(), parentLogs(looked));
        for (int b : failed) {
            if (sources.contains(b)) {
                return ok.get(b);
            }
        }
        return first;
    }

    /**
     * replica 3 arbiter 1 with a data brick away: the write goes ahead only if a data brick that is up holds good data,
     * else the arbiter -- which has names and metadata but no data -- would be the only brick that is not blamed.
     */
    private void requireDataSourceBesidesArbiter(String path, List<Integer> up) {
        int arbiter = set.arbiter();
        if (arbiter < 0 || !up.contains(arbiter)) {
            return;
        }
        Decision d = lookupDecision(path);
        for (int b : d.present()) {
            if (b != arbiter && d.dataSources().contains(b)) {
                return;
            }
        }
        throw new QuorumException(Errno.ENOTCONN, VolumePath.display(path) + ": refused: the only brick up with"
                + " good data would be the arbiter, which keeps no data (bricks up " + up + "); heal first");
    }

    /**
     * Post-op for a brick that failed mid-operation: the bricks that applied it record pending counters blaming
     * the ones that missed it (or, when the op failed for lack of quorum, a dirty mark). Returns the bricks that
     * still count as having applied it.
     */
    private List<Integer> mark(Mutation m, List<Integer> applied, List<Integer> missing, boolean dirty,
            List<long[]> sequences) {
        if (applied.isEmpty()) {
            return applied;
        }
        List<Integer> missingSorted = new ArrayList<>(new TreeSet<>(missing));
        FopRequest op = m.request.apply(applied.get(0)).setHeader(Header.getDefaultInstance()).build();
        Replies r = fanout(applied, b -> FopRequest.newBuilder().setMark(Mark.newBuilder().setOp(op)
                .addAllBricks(missingSorted).setDirty(dirty)), header(List.of(), List.of()), true, sequences);
        List<Integer> still = new ArrayList<>();
        for (int b : applied) {
            FopReply reply = r.ok.get(b);
            if (reply != null && reply.getErrno() == 0) {
                still.add(b);
            }
        }
        return still;
    }

    /** Undoes a speculative entry creation where it was applied (only the fresh inode with our gfid goes). */
    private void undo(Mutation m, List<Integer> where, List<long[]> sequences) {
        if (m.undo == null || where.isEmpty()) {
            return;
        }
        fanout(where, m.undo, header(List.of(), m.keys), true, sequences);
    }

    /**
     * Another client holds some of the keys. Undo and release everything above the first brick that refused,
     * then take the keys brick by brick in order, waiting where needed. The caller replays the operation.
     */
    private void resolveContention(Mutation m, Replies r, List<Integer> up, List<Integer> refused,
            List<long[]> sequences) {
        int first = refused.get(0);
        List<Integer> above = new ArrayList<>();
        for (Map.Entry<Integer, FopReply> e : r.ok.entrySet()) {
            if (e.getKey() > first && e.getValue().getLease() == LeaseStatus.LEASE_OK) {
                above.add(e.getKey());
            }
        }
        List<Integer> appliedAbove = new ArrayList<>();
        for (int b : above) {
            if (r.ok.get(b).getErrno() == 0) {
                appliedAbove.add(b);
            }
        }
        undo(m, appliedAbove, sequences);
        List<String> listings = m.keys.stream().filter(k -> k.startsWith(LeaseKeys.LISTING)).toList();
        if (!listings.isEmpty()) {
            set.listings.recalled(listings); // given back below, if only for a moment: no longer sure of them
        }
        for (int b : above) {
            try {
                await(set.brick(b).release(m.keys));
            } catch (FopException e) {
                // a brick that cannot be reached drops our lease with our session
            }
        }
        Duration wait = set.timeout.multipliedBy(4);
        for (int b : up) {
            if (b < first || !set.brick(b).isUp()) {
                continue;
            }
            try {
                set.brick(b).acquire(m.waitKeys(), true, wait).get();
            } catch (BrickUnavailableException | BrickRefusedException e) {
                // deadline passed or brick lost: the replay finds out and tries again
                return;
            }
        }
    }

    // ================================================================================================= lookups

    /** What the bricks say about one path, decided with their changelogs. */
    private record Decision(Attr attr, List<Integer> present, Set<Integer> dataSources, Set<Integer> metaSources,
            Map<Integer, FopReply> replies) {
        boolean dataSplitBrain() {
            return dataSources.isEmpty();
        }
    }

    /** Bricks that no other answering brick blames for any of these kinds. */
    static Set<Integer> sources(Map<Integer, Changelog> logs, int kinds) {
        Set<Integer> blamed = new HashSet<>();
        for (Map.Entry<Integer, Changelog> e : logs.entrySet()) {
            for (Map.Entry<Integer, Counters> p : e.getValue().pending().entrySet()) {
                if (!p.getKey().equals(e.getKey()) && (p.getValue().kinds() & kinds) != 0
                        && logs.containsKey(p.getKey())) {
                    blamed.add(p.getKey());
                }
            }
        }
        Set<Integer> s = new HashSet<>(logs.keySet());
        s.removeAll(blamed);
        return s;
    }

    /** The changelogs of the parent directory that lookup replies carry, by brick. */
    private static Map<Integer, Changelog> parentLogs(Map<Integer, FopReply> replies) {
        Map<Integer, Changelog> logs = new TreeMap<>();
        for (Map.Entry<Integer, FopReply> e : replies.entrySet()) {
            if (e.getValue().hasParentAfr()) {
                logs.put(e.getKey(), Wire.changelog(e.getValue().getParentAfr()));
            }
        }
        return logs;
    }

    /** Of the bricks that answered a lookup of path, those no other blames for entries of its parent. */
    private static Set<Integer> entrySources(String path, Set<Integer> answered, Map<Integer, Changelog> parentLogs) {
        if (path.isEmpty() || parentLogs.isEmpty()) {
            return new HashSet<>(answered);
        }
        Set<Integer> entrySources = sources(parentLogs, Counters.ENTRY);
        // bricks that lack the parent entirely (ENOENT without a parent changelog) cannot be entry sources
        entrySources.retainAll(parentLogs.keySet());
        return entrySources;
    }

    private Decision decide(String path, Map<Integer, FopReply> replies) {
        Map<Integer, Changelog> parentLogs = parentLogs(replies);
        Set<Integer> entrySources = entrySources(path, replies.keySet(), parentLogs);
        if (entrySources.isEmpty()) {
            throw new FopException(Errno.EIO, VolumePath.display(VolumePath.parent(path))
                    + ": entry split-brain (every brick is blamed by another)");
        }
        List<Integer> present = new ArrayList<>();
        FopReply error = null;
        for (int b : new TreeSet<>(entrySources)) {
            FopReply r = replies.get(b);
            if (r.getErrno() == 0) {
                present.add(b);
            } else if (error == null || error.getErrno() == Errno.ENOENT) {
                error = r;
            }
        }
        if (present.isEmpty()) {
            int errno = error == null ? Errno.ENOENT : error.getErrno();
            throw FopException.of(errno, VolumePath.display(path));
        }
        Map<Integer, Changelog> logs = new TreeMap<>();
        Set<Gfid> gfids = new HashSet<>();
        for (int b : present) {
            FopReply r = replies.get(b);
            logs.put(b, r.hasAfr() ? Wire.changelog(r.getAfr()) : Changelog.CLEAN);
            Gfid g = Wire.gfid(r.getStat().getGfid());
            if (g != null) {
                gfids.add(g);
            }
        }
        if (gfids.size() > 1) {
            throw new FopException(Errno.EIO, VolumePath.display(path) + ": gfid split-brain (bricks hold different"
                    + " files " + gfids + " under this name)");
        }
        Set<Integer> data = sources(logs, Counters.DATA);
        Set<Integer> meta = sources(logs, Counters.METADATA);
        if (present.size() < replies.size() || logs.values().stream().anyMatch(c -> !c.isClean())
                || parentLogs.values().stream().anyMatch(c -> !c.isClean())) {
            // heal on access: this caller is served from a good copy; the copies that are not get repaired
            set.needsHeal(path);
        }
        int pick = pick(path, present, data, meta);
        Attr a = Wire.attr(replies.get(pick).getStat());
        if (a.gfid() == null && a.type().carriesUserXattrs()) {
            a = assignGfid(path, present, gfids.isEmpty() ? Gfid.random() : gfids.iterator().next(), a);
        } else if (a.gfid() != null) {
            for (int b : present) {
                if (Wire.gfid(replies.get(b).getStat().getGfid()) == null) {
                    assignGfid(path, List.of(b), a.gfid(), a);
                }
            }
        }
        if (a.gfid() != null) {
            set.gfids.put(path, a.gfid());
        }
        return new Decision(a, present, data, meta, replies);
    }

    /** The brick whose attributes a lookup reports: a data and metadata source, the read child if it is one. */
    private int pick(String path, List<Integer> all, Set<Integer> data, Set<Integer> meta) {
        List<Integer> present = withoutArbiter(all);
        List<Integer> good = new ArrayList<>();
        for (int b : present) {
            if (data.contains(b) && meta.contains(b)) {
                good.add(b);
            }
        }
        if (good.isEmpty()) {
            for (int b : present) {
                if (data.contains(b) || meta.contains(b)) {
                    good.add(b);
                }
            }
        }
        if (good.isEmpty()) {
            good = present;
        }
        return readChild(path, good);
    }

    /** The bricks that hold data: all but the arbiter, unless the arbiter is all there is. */
    private List<Integer> withoutArbiter(List<Integer> bricks) {
        int arbiter = set.arbiter();
        if (arbiter < 0 || !bricks.contains(arbiter) || bricks.size() == 1) {
            return bricks;
        }
        List<Integer> out = new ArrayList<>(bricks);
        out.remove(Integer.valueOf(arbiter));
        return out;
    }

    /**
     * Of the candidate bricks, the one reads go to. local: this node's own brick, else one on this host (a web
     * node's mount reads from the brick on its own disk, as GlusterFS's choose-local does), by path hash among
     * several; first: the first; hash (and local without either): by path hash.
     */
    private int readChild(String path, List<Integer> candidates) {
        String policy = set.spec.options().readChild();
        if (policy.equals("first")) {
            return candidates.get(0);
        }
        List<Integer> from = candidates;
        if (policy.equals("local")) {
            if (set.localBrick >= 0 && candidates.contains(set.localBrick)) {
                return set.localBrick;
            }
            List<Integer> here = set.onThisHost(candidates);
            if (!here.isEmpty()) {
                from = here;
            }
        }
        return from.get(Math.floorMod(path.hashCode(), from.size()));
    }

    /** An inode created outside camelfs gets one volume-wide gfid on every brick that has it. */
    private Attr assignGfid(String path, List<Integer> where, Gfid g, Attr a) {
        Replies r = fanout(where, b -> FopRequest.newBuilder().setSetGfid(SetGfid.newBuilder().setPath(path)
                .setGfid(Wire.gfid(g))), header(List.of(), List.of()), false, new ArrayList<>());
        for (FopReply reply : r.ok.values()) {
            if (reply.getErrno() == Errno.EEXIST) {
                throw new FopException(Errno.EIO, VolumePath.display(path) + ": gfid split-brain");
            }
        }
        return new Attr(g, a.mode(), a.nlink(), a.uid(), a.gid(), a.rdev(), a.size(), a.blocks(), a.blksize(),
                a.ino(), a.atime(), a.mtime(), a.ctime());
    }

    /** A plain lookup of path on each of bricks: no leases, nothing to settle. */
    private Replies lookups(List<Integer> bricks, String path) {
        return fanout(bricks, b -> FopRequest.newBuilder().setLookup(Lookup.newBuilder().setPath(path)),
                header(List.of(), List.of()), false, new ArrayList<>());
    }

    private Decision lookupDecision(String path) {
        List<Integer> up = set.up();
        if (up.isEmpty()) {
            throw new FopException(Errno.ENOTCONN, "volume " + set.spec.name() + ": no brick is up");
        }
        Replies r = lookups(up, path);
        if (r.ok.isEmpty()) {
            throw new FopException(Errno.ENOTCONN, "volume " + set.spec.name() + ": no brick answered");
        }
        return decide(path, r.ok);
    }

    /** Does the name exist as far as the bricks that are entry sources for its parent are concerned? */
    private boolean existsFor(String path) {
        try {
            lookupDecision(path);
            return true;
        } catch (FopException e) {
            return e.errno() != Errno.ENOENT;
        }
    }

    @Override
    public Attr lookup(String path) {
        String p = VolumePath.normalize(path);
        if (set.listings.absent(p) && listingsTrusted()) {
            throw FopException.of(Errno.ENOENT, VolumePath.display(p)); // no other client can have made it
        }
        return lookupDecision(p).attr();
    }

    private Gfid gfidOf(String path) {
        Gfid g = set.gfids.get(path);
        return g != null ? g : lookupDecision(path).attr().gfid();
    }


    // ========================================================================================== entry creation

    private Mutation creation(String path, Gfid gfid, IntFunction<FopRequest.Builder> request) {
        return creation(path, gfid, entryKeys(), request);
    }

    private Mutation creation(String path, Gfid gfid, EntryKeys keys, IntFunction<FopRequest.Builder> request) {
        keys.take(LeaseKeys.entry(path)).changes(VolumePath.parent(path));
        if (gfid != null) {
            keys.take(LeaseKeys.inode(gfid));
        }
        Mutation m = new Mutation(path, keys, request);
        m.creates = true;
        m.undo = b -> FopRequest.newBuilder().setUndo(Undo.newBuilder().setPath(path).setGfid(Wire.gfid(gfid)));
        return m;
    }

    private Attr created(String path, Outcome o) {
        Attr a = o.attr();
        if (a != null) {
            set.gfids.put(path, a.gfid());
        }
        return a;
    }

    @Override
    public Attr create(String path, Gfid gfid, int mode, ByteBuffer data) {
        String p = VolumePath.normalize(path);
        ByteString bytes = UnsafeByteOperations.unsafeWrap(data.duplicate());
        return created(p, changeEntries(creation(p, gfid, b -> FopRequest.newBuilder().setCreate(Create.newBuilder()
                .setPath(p).setGfid(Wire.gfid(gfid)).setMode(mode & 07777).setData(bytes))), p, true));
    }

    @Override
    public Attr create(String path, int mode, boolean exclusive) {
        String p = VolumePath.normalize(path);
        try {
            return create(p, Gfid.random(), mode, ByteBuffer.allocate(0));
        } catch (FopException e) {
            if (e.errno() == Errno.EEXIST && !exclusive) {
                Attr a = lookup(p);
                if (a.isDirectory()) {
                    throw FopException.of(Errno.EISDIR, VolumePath.display(p));
                }
                return a;
            }
            throw e;
        }
    }

    @Override
    public Attr put(String path, int mode, ByteBuffer data) {
        String p = VolumePath.normalize(path);
        ByteString bytes = UnsafeByteOperations.unsafeWrap(data.duplicate());
        for (int attempt = 0; attempt < 3; attempt++) {
            Gfid existing = set.gfids.get(p);
            if (existing == null) {
                try {
                    return create(p, Gfid.random(), mode, data);
                } catch (FopException e) {
                    if (e.errno() != Errno.EEXIST) {
                        throw e;
                    }
                    Attr a = lookup(p);
                    if (a.isDirectory()) {
                        throw FopException.of(Errno.EISDIR, VolumePath.display(p));
                    }
                    existing = a.gfid();
                }
            }
            Gfid g = existing;
            try {
                Mutation m = new Mutation(p, List.of(LeaseKeys.inode(g)), b -> FopRequest.newBuilder().setWrite(
                        Write.newBuilder().setPath(p).setGfid(Wire.gfid(g)).setOffset(0).setData(bytes)
                                .setTruncate(bytes.size())));
                m.data = true;
                return mutate(m).attr();
            } catch (FopException e) {
                if (e.errno() != Errno.ESTALE && e.errno() != Errno.ENOENT) {
                    throw e;
                }
                set.gfids.remove(p); // replaced or removed by someone else meanwhile: start over
            }
        }
        throw new FopException(Errno.EAGAIN, VolumePath.display(p) + ": kept changing while being written");
    }

    @Override
    public Attr mkdir(String path, int mode) {
        String p = VolumePath.normalize(path);
        Gfid g = Gfid.random();
        // the new directory's listing key comes with it: it is empty, and this client will know each name it gets
        long epoch = set.listings.epoch();
        long start = System.nanoTime();
        Outcome o = changeEntries(creation(p, g, entryKeys().take(LeaseKeys.listing(p)), b -> FopRequest.newBuilder()
                .setMkdir(Mkdir.newBuilder().setPath(p).setGfid(Wire.gfid(g)).setMode(mode & 07777))), p, true);
        if (o.applied().size() == set.spec.replica()) {
            set.listings.established(p, start, epoch);
        }
        return created(p, o);
    }

    @Override
    public Attr mknod(String path, int mode, long rdev) {
        String p = VolumePath.normalize(path);
        int type = mode & FileType.S_IFMT;
        Gfid g = type == 0 || type == FileType.REGULAR.bits() ? Gfid.random() : null;
        return created(p, changeEntries(creation(p, g, b -> FopRequest.newBuilder().setMknod(Mknod.newBuilder()
                .setPath(p).setGfid(Wire.gfid(g)).setMode(mode).setRdev(rdev))), p, true));
    }

    @Override
    public Attr symlink(String target, String path) {
        String p = VolumePath.normalize(path);
        return created(p, changeEntries(creation(p, null, b -> FopRequest.newBuilder().setSymlink(Symlink
                .newBuilder().setPath(p).setTarget(target))), p, true));
    }

    @Override
    public Attr link(String existing, String path) {
        String from = VolumePath.normalize(existing);
        String p = VolumePath.normalize(path);
        Gfid g = gfidOf(from);
        Mutation m = new Mutation(p, entryKeys().take(LeaseKeys.entry(p)).changes(VolumePath.parent(p)),
                b -> FopRequest.newBuilder().setLink(Link.newBuilder().setExisting(from).setPath(p)
                        .setGfid(Wire.gfid(g))));
        m.creates = true;
        m.undo = b -> FopRequest.newBuilder().setUnlink(Unlink.newBuilder().setPath(p).setGfid(Wire.gfid(g)));
        return created(p, changeEntries(m, p, true));
    }

    // =========================================================================================== entry removal

    @Override
    public void unlink(String path) {
        String p = VolumePath.normalize(path);
        Gfid g = set.gfids.get(p);
        if (g == null) {
            Attr a = lookup(p);
            if (a.isDirectory()) {
                throw FopException.of(Errno.EISDIR, VolumePath.display(p));
            }
            g = a.gfid();
        }
        Gfid expected = g;
        Mutation m = new Mutation(p, entryKeys().take(LeaseKeys.entry(p)).changes(VolumePath.parent(p)),
                b -> FopRequest.newBuilder().setUnlink(Unlink.newBuilder().setPath(p).setGfid(Wire.gfid(expected))));
        m.alreadyDone = e -> e == Errno.ENOENT;
        try {
            changeEntries(m, p, false);
        } finally {
            set.gfids.remove(p);
        }
    }

    @Override
    public void rmdir(String path) {
        String p = VolumePath.normalize(path);
        Gfid g = set.gfids.get(p);
        // whoever knows the directory's own listing lets go too: the name may come back as another kind of file
        Mutation m = new Mutation(p, entryKeys().take(LeaseKeys.entry(p)).changes(VolumePath.parent(p))
                .clear(LeaseKeys.listing(p)), b -> FopRequest.newBuilder().setRmdir(Rmdir.newBuilder().setPath(p)
                        .setGfid(Wire.gfid(g))));
        m.alreadyDone = e -> e == Errno.ENOENT;
        set.listings.forgetTree(p);
        try {
            changeEntries(m, p, false);
        } finally {
            set.gfids.removeTree(p);
        }
    }

    @Override
    public void rename(String from, String to, int flags) {
        String f = VolumePath.normalize(from);
        String t = VolumePath.normalize(to);
        Attr a = lookup(f);
        Gfid g = a.gfid();
        EntryKeys keys = entryKeys().take(LeaseKeys.entry(f)).take(LeaseKeys.entry(t)).changes(VolumePath.parent(f))
                .changes(VolumePath.parent(t));
        boolean exchange = (flags & RENAME_EXCHANGE) != 0;
        if (a.isDirectory() || exchange) {
            // the directories below move: a listing known under either name no longer says what is there
            keys.clear(LeaseKeys.subtree(f)).clear(LeaseKeys.subtree(t));
            set.listings.forgetTree(f);
            set.listings.forgetTree(t);
        }
        Mutation m = new Mutation(f, keys, b -> FopRequest.newBuilder().setRename(
                Rename.newBuilder().setFrom(f).setTo(t).setGfid(Wire.gfid(g)).setFlags(flags)));
        try {
            changeEntries(m, f, exchange, t, true);
        } finally {
            if (a.isDirectory() || exchange) {
                set.gfids.removeTree(f);
                set.gfids.removeTree(t);
            } else {
                set.gfids.remove(f);
                set.gfids.remove(t);
            }
        }
    }

    // ==================================================================================================== data

    /** A data or metadata operation on an existing inode: keyed by its gfid, retried once if the path moved. */
    private Outcome onInode(String path, Function<Gfid, IntFunction<FopRequest.Builder>> op) {
        return onInode(path, false, null, op);
    }

    /**
     * A change of the inode at path; of the inode with gfid file if not null (a descriptor's), which the bricks
     * check: ESTALE, not retried, if the path names another inode now.
     */
    private Outcome onInode(String path, boolean data, Gfid file,
            Function<Gfid, IntFunction<FopRequest.Builder>> op) {
        for (int attempt = 0;; attempt++) {
            Gfid g = file != null ? file : gfidOf(path);
            List<String> keys = g == null ? List.of(LeaseKeys.entry(path)) : List.of(LeaseKeys.inode(g));
            try {
                Mutation m = new Mutation(path, keys, op.apply(g));
                m.data = data;
                return mutate(m);
            } catch (FopException e) {
                if (e.errno() != Errno.ESTALE || attempt > 0 || file != null) {
                    throw e;
                }
                set.gfids.remove(path);
            }
        }
    }

    @Override
    public Attr write(String path, Gfid file, long offset, ByteBuffer data) {
        String p = VolumePath.normalize(path);
        ByteString bytes = UnsafeByteOperations.unsafeWrap(data.duplicate());
        return onInode(p, true, file, g -> b -> FopRequest.newBuilder().setWrite(Write.newBuilder().setPath(p)
                .setGfid(Wire.gfid(g)).setOffset(offset).setData(bytes).setTruncate(-1))).attr();
    }

    @Override
    public void truncate(String path, Gfid file, long size) {
        String p = VolumePath.normalize(path);
        onInode(p, true, file, g -> b -> FopRequest.newBuilder().setTruncate(Truncate.newBuilder()
                .setPath(p).setGfid(Wire.gfid(g)).setSize(size)));
    }

    @Override
    public void fallocate(String path, Gfid file, int mode, long offset, long length) {
        String p = VolumePath.normalize(path);
        onInode(p, true, file, g -> b -> FopRequest.newBuilder().setFallocate(Fallocate.newBuilder().setPath(p)
                .setGfid(Wire.gfid(g)).setMode(mode).setOffset(offset).setLength(length)));
    }

    @Override
    public Attr setattr(String path, SetAttr s) {
        String p = VolumePath.normalize(path);
        return onInode(p, s.size() != null, null, g -> b -> {
            Setattr.Builder sb = Setattr.newBuilder().setPath(p).setGfid(Wire.gfid(g)).setValid(s.valid());
            if (s.mode() != null) {
                sb.setMode(s.mode());
            }
            if (s.uid() != null) {
                sb.setUid(s.uid());
            }
            if (s.gid() != null) {
                sb.setGid(s.gid());
            }
            if (s.size() != null) {
                sb.setSize(s.size());
            }
            if (s.atime() != null) {
                sb.setAtime(Wire.time(s.atime()));
            }
            if (s.mtime() != null) {
                sb.setMtime(Wire.time(s.mtime()));
            }
            return FopRequest.newBuilder().setSetattr(sb);
        }).attr();
    }

    @Override
    public void setxattr(String path, String name, byte[] value, int flags) {
        String p = VolumePath.normalize(path);
        onInode(p, g -> b -> FopRequest.newBuilder().setSetxattr(Setxattr.newBuilder().setPath(p).setName(name)
                .setValue(ByteString.copyFrom(value)).setFlags(flags)));
    }

    @Override
    public void removexattr(String path, String name) {
        String p = VolumePath.normalize(path);
        onInode(p, g -> b -> FopRequest.newBuilder().setRemovexattr(Removexattr.newBuilder().setPath(p)
                .setName(name)));
    }

    @Override
    public void fsync(String path, boolean datasync) {
        String p = VolumePath.normalize(path);
        List<Integer> up = set.up();
        Replies r = fanout(up, b -> FopRequest.newBuilder().setFsync(Fsync.newBuilder()
                .setPath(p).setDatasync(datasync)), header(List.of(), List.of()), false, new ArrayList<>());
        for (FopReply reply : r.ok.values()) {
            if (reply.getErrno() != 0 && reply.getErrno() != Errno.ENOENT) {
                throw new FopException(reply.getErrno(), reply.getError());
            }
        }
    }

    @Override
    public ByteBuffer read(String path, Gfid file, long offset, int length) {
        String p = VolumePath.normalize(path);
        List<Integer> up = set.up();
        if (up.isEmpty()) {
            throw new FopException(Errno.ENOTCONN, "volume " + set.spec.name() + ": no brick is up");
        }
        List<Integer> dataBricks = withoutArbiter(up);
        if (dataBricks.size() == 1 && dataBricks.get(0) == set.arbiter()) {
            throw new FopException(Errno.ENOTCONN, VolumePath.display(p) + ": only the arbiter of volume "
                    + set.spec.name() + " is up, and it keeps no data");
        }
        int preferred = readChild(p, dataBricks);
        // one round trip in the common case: the preferred brick reads (and reports its changelog) while the
        // others only look up, so blame is known before the data is trusted
        Replies r = fanout(up, b -> b == preferred
                ? FopRequest.newBuilder().setRead(Read.newBuilder().setPath(p).setGfid(Wire.gfid(file))
                        .setOffset(offset).setLength(length).setStat(true))
                : FopRequest.newBuilder().setLookup(Lookup.newBuilder().setPath(p)),
                header(List.of(), List.of()), false, new ArrayList<>());
        Decision d = decide(p, r.ok);
        if (d.attr().isDirectory()) {
            throw FopException.of(Errno.EISDIR, VolumePath.display(p));
        }
        if (d.dataSplitBrain()) {
            throw new FopException(Errno.EIO, VolumePath.display(p) + ": data split-brain (each copy is blamed by"
                    + " another brick); resolve with camelfs heal ... split-brain");
        }
        FopReply mine = r.ok.get(preferred);
        if (mine != null && d.dataSources().contains(preferred) && d.present().contains(preferred)) {
            if (mine.getErrno() != 0) {
                throw new FopException(mine.getErrno(), mine.getError());
            }
            return mine.getData().asReadOnlyByteBuffer();
        }
        List<Integer> good = new ArrayList<>();
        for (int b : d.present()) {
            if (d.dataSources().contains(b) && b != set.arbiter()) {
                good.add(b);
            }
        }
        if (good.isEmpty()) {
            throw new FopException(Errno.EIO, VolumePath.display(p) + ": no brick that is up holds a good copy of"
                    + " the data (the arbiter keeps none)");
        }
        int from = readChild(p, good);
        Replies again = fanout(List.of(from), b -> FopRequest.newBuilder().setRead(Read.newBuilder().setPath(p)
                .setGfid(Wire.gfid(file)).setOffset(offset).setLength(length)), header(List.of(), List.of()), false,
                new ArrayList<>());
        FopReply reply = again.ok.get(from);
        if (reply == null) {
            throw new FopException(Errno.ENOTCONN, VolumePath.display(p) + ": the good copy's brick went away");
        }
        if (reply.getErrno() != 0) {
            throw new FopException(reply.getErrno(), reply.getError());
        }
        return reply.getData().asReadOnlyByteBuffer();
    }

    /** One brick that holds a good copy of the path's entry and metadata, to read from. */
    private FopReply readFromSource(String path, FopRequest.Builder request) {
        Decision d = lookupDecision(path);
        List<Integer> good = new ArrayList<>();
        for (int b : d.present()) {
            if (d.metaSources().contains(b)) {
                good.add(b);
            }
        }
        if (good.isEmpty()) {
            good = d.present();
        }
        int from = readChild(path, good);
        Replies r = fanout(List.of(from), b -> request.clone(), header(List.of(), List.of()), false,
                new ArrayList<>());
        FopReply reply = r.ok.get(from);
        if (reply == null) {
            throw new FopException(Errno.ENOTCONN, VolumePath.display(path) + ": brick went away");
        }
        if (reply.getErrno() != 0) {
            throw new FopException(reply.getErrno(), reply.getError());
        }
        return reply;
    }

    @Override
    public String readlink(String path) {
        String p = VolumePath.normalize(path);
        return readFromSource(p, FopRequest.newBuilder().setReadlink(Readlink.newBuilder().setPath(p))).getText();
    }

    @Override
    public byte[] getxattr(String path, String name) {
        String p = VolumePath.normalize(path);
        return readFromSource(p, FopRequest.newBuilder().setGetxattr(Getxattr.newBuilder().setPath(p)
                .setName(name))).getData().toByteArray();
    }

    @Override
    public List<String> listxattr(String path) {
        String p = VolumePath.normalize(path);
        return readFromSource(p, FopRequest.newBuilder().setListxattr(Listxattr.newBuilder().setPath(p)))
                .getNamesList();
    }

    @Override
    public DirPage readdir(String path, long cookie, int maxEntries, boolean withAttrs) {
        String p = VolumePath.normalize(path);
        Decision d = lookupDecision(p);
        if (!d.attr().isDirectory()) {
            throw FopException.of(Errno.ENOTDIR, VolumePath.display(p));
        }
        // a directory's entries are good where nobody blames its entry changelog
        Map<Integer, Changelog> logs = new TreeMap<>();
        for (int b : d.present()) {
            FopReply r = d.replies().get(b);
            logs.put(b, r.hasAfr() ? Wire.changelog(r.getAfr()) : Changelog.CLEAN);
        }
        Set<Integer> entrySources = sources(logs, Counters.ENTRY);
        List<Integer> good = new ArrayList<>();
        for (int b : d.present()) {
            if (entrySources.contains(b)) {
                good.add(b);
            }
        }
        if (good.isEmpty()) {
            throw new FopException(Errno.EIO, VolumePath.display(p) + ": entry split-brain");
        }
        // cookies are positions in one brick's directory: always list from the same brick while it is good; not
        // from the arbiter when attributes are wanted, its files have no size
        if (withAttrs) {
            good = withoutArbiter(good);
        }
        int from = set.localBrick >= 0 && good.contains(set.localBrick) ? set.localBrick : good.get(0);
        int max = maxEntries <= 0 ? READDIR_PAGE : maxEntries;
        Replies r = fanout(List.of(from), b -> FopRequest.newBuilder().setReaddir(Readdir.newBuilder().setPath(p)
                .setCookie(cookie).setMaxEntries(max).setStat(withAttrs)), header(List.of(), List.of()), false,
                new ArrayList<>());
        FopReply reply = r.ok.get(from);
        if (reply == null) {
            throw new FopException(Errno.ENOTCONN, VolumePath.display(p) + ": brick went away while listing");
        }
        if (reply.getErrno() != 0) {
            throw new FopException(reply.getErrno(), reply.getError());
        }
        List<DirEntry> entries = new ArrayList<>(reply.getEntriesCount());
        for (var e : reply.getEntriesList()) {
            entries.add(Wire.dirEntry(e));
        }
        return new DirPage(entries, reply.getEof());
    }

    @Override
    public StatFs statfs(String path) {
        String p = VolumePath.normalize(path);
        List<Integer> up = set.up();
        Replies r = fanout(up, b -> FopRequest.newBuilder().setStatfs(Statfs.newBuilder().setPath(p)),
                header(List.of(), List.of()), false, new ArrayList<>());
        StatFs best = null;
        for (Map.Entry<Integer, FopReply> e : r.ok.entrySet()) {
            FopReply reply = e.getValue();
            if (reply.getErrno() == 0 && (e.getKey() != set.arbiter() || r.ok.size() == 1)) {
                StatFs s = Wire.statfs(reply.getStatfs());
                // a replicated volume holds what its fullest brick can still take
                if (best == null || s.bavail() * s.frsize() < best.bavail() * best.frsize()) {
                    best = s;
                }
            }
        }
        if (best == null) {
            throw new FopException(Errno.ENOTCONN, "volume " + set.spec.name() + ": no brick answered statfs");
        }
        return best;
    }

    // =================================================================================================== locks

    @Override
    public LockResult lock(String path, LockRequest req) {
        String p = VolumePath.normalize(path);
        List<Integer> up = set.up();
        if (up.isEmpty()) {
            throw new FopException(Errno.ENOTCONN, "volume " + set.spec.name() + ": no brick is up");
        }
        ByteString owner = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(req.owner()).array());
        LockType type = LockType.forNumber(req.type().ordinal());
        if (req.command() == LockRequest.Command.GET) {
            FopReply r = lockOn(up.get(0), p, LockCmd.GETLK, type, req, owner, set.timeout);
            var l = r.getLock();
            return new LockResult(l.getGranted(), LockRequest.Type.values()[l.getTypeValue()], l.getStart(),
                    l.getLength(), l.getPid());
        }
        if (req.type() == LockRequest.Type.UNLOCK) {
            fanout(up, b -> lockRequest(p, LockCmd.SETLK, type, req, owner), header(List.of(), List.of()), false,
                    new ArrayList<>());
            return new LockResult(true, LockRequest.Type.UNLOCK, req.start(), req.length(), req.pid());
        }
        // take the lock brick by brick in order, as GlusterFS does, so two clients cannot deadlock
        List<Integer> granted = new ArrayList<>();
        boolean wait = req.command() == LockRequest.Command.SET_WAIT;
        for (int b : up) {
            FopReply r;
            try {
                r = wait ? lockWaiting(b, p, type, req, owner) : lockOn(b, p, LockCmd.SETLK, type, req, owner,
                        set.timeout);
            } catch (FopException e) {
                if (e.errno() == Errno.ENOTCONN || e.errno() == Errno.ETIMEDOUT) {
                    continue; // that brick went down: the others decide
                }
                unlockOn(granted, p, req, owner);
                throw e;
            }
            if (r.getErrno() == Errno.EAGAIN) {
                unlockOn(granted, p, req, owner);
                throw new FopException(Errno.EAGAIN, VolumePath.display(p) + ": "
                        + Errno.describe(Errno.EAGAIN));
            }
            if (r.getErrno() != 0) {
                unlockOn(granted, p, req, owner);
                throw new FopException(r.getErrno(), r.getError());
            }
            granted.add(b);
        }
        if (!set.quorum.met(granted, set.spec.replica())) {
            unlockOn(granted, p, req, owner);
            throw new QuorumException(Errno.ENOTCONN, VolumePath.display(p) + ": lock reached only bricks " + granted
                    + ", " + set.quorum.describe(set.spec.replica()));
        }
        return new LockResult(true, req.type(), req.start(), req.length(), req.pid());
    }

    private static FopRequest.Builder lockRequest(String p, LockCmd cmd, LockType type, LockRequest req,
            ByteString owner) {
        return FopRequest.newBuilder().setLock(Lock.newBuilder().setPath(p).setGfid(Wire.gfid(req.file())).setCmd(cmd)
                .setType(type).setStart(req.start()).setLength(req.length()).setOwner(owner).setPid(req.pid())
                .setFlock(req.flock()));
    }

    private FopReply lockOn(int b, String p, LockCmd cmd, LockType type, LockRequest req, ByteString owner,
            Duration wait) {
        FopRequest.Builder r = lockRequest(p, cmd, type, req, owner);
        if (cmd == LockCmd.SETLKW) {
            r.getLockBuilder().setWaitMillis((int) wait.toMillis());
        }
        BrickClient.Sent s = set.brick(b).send(r, header(List.of(), List.of()), false,
                cmd == LockCmd.SETLKW ? wait.plus(set.timeout) : set.timeout);
        try {
            return s.reply().get();
        } catch (BrickUnavailableException e) {
            throw new FopException(e.isTimeout() ? Errno.ETIMEDOUT : Errno.ENOTCONN, e.getMessage());
        } catch (BrickRefusedException e) {
            throw new FopException(Errno.EIO, e.getMessage());
        }
    }

    /**
     * F_SETLKW: wait as long as it takes, or as long as the request allows (then EAGAIN), in bounded slices so a
     * brick that dies is noticed.
     */
    private FopReply lockWaiting(int b, String p, LockType type, LockRequest req, ByteString owner) {
        Duration slice = set.timeout.multipliedBy(6);
        boolean bounded = req.waitMillis() > 0;
        long until = System.nanoTime() + req.waitMillis() * 1_000_000;
        for (;;) {
            Duration wait = !bounded ? slice
                    : Duration.ofNanos(Math.max(1_000_000, Math.min(until - System.nanoTime(), slice.toNanos())));
            FopReply r = lockOn(b, p, LockCmd.SETLKW, type, req, owner, wait);
            if (r.getErrno() != 0 || r.getLock().getGranted()) {
                return r;
            }
            if (bounded && until - System.nanoTime() <= 0) {
                return FopReply.newBuilder().setErrno(Errno.EAGAIN).build();
            }
            // the slice ran out while the lock is still held elsewhere: keep waiting
        }
    }

    private void unlockOn(List<Integer> bricks, String p, LockRequest req, ByteString owner) {
        if (!bricks.isEmpty()) {
            fanout(bricks, b -> lockRequest(p, LockCmd.SETLK, LockType.UNLCK, req, owner),
                    header(List.of(), List.of()), false, new ArrayList<>());
        }
    }

    /** For tests and tools: the raw per-brick lookup replies' changelogs of a path. */
    public Map<Integer, Changelog> changelogs(String path) {
        String p = VolumePath.normalize(path);
        Replies r = lookups(set.up(), p);
        Map<Integer, Changelog> out = new HashMap<>();
        r.ok.forEach((b, reply) -> {
            if (reply.getErrno() == 0) {
                out.put(b, reply.hasAfr() ? Wire.changelog(reply.getAfr()) : Changelog.CLEAN);
            }
        });
        return out;
    }
}
