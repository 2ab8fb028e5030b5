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
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Expunge;
import io.camelfs.protocol.v1.Fetch;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Install;
import io.camelfs.protocol.v1.Locate;
import io.camelfs.protocol.v1.Lookup;
import io.camelfs.protocol.v1.SetMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Repairs one name of a directory on one sink, under the lease keys of that name ("e:path") and of the inodes
 * involved ("i:gfid"), after checking again under those keys that the name still needs it: installs what the
 * source has (the whole inode: data, metadata, xattrs, times, or a hard link to an inode the sink already has),
 * expunges what the source no longer has, replaces a name reused for another inode, or brings a symlink's or
 * special file's metadata in line.
 */
final class NameHeal {
    private final HealRun run;
    private final Replicas r;
    private final Duration wait;

    NameHeal(HealRun run) {
        this.run = run;
        this.r = run.replicas;
        this.wait = r.timeout().multipliedBy(2);
    }

    static String entryKey(String path) {
        return "e:" + path;
    }

    static String inodeKey(Gfid g) {
        return "i:" + g.hex();
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
        k.add(entryKey(path));
        for (Gfid g : gfids) {
            if (g != null) {
                k.add(inodeKey(g));
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
        Gfid g = gfid(want);
        List<String> keys = keys(path, g, gfid(have));
        try (Replicas.Lock lock = r.lock(keys, wait)) {
            if (!lock.bricks().contains(source) || !lock.bricks().contains(sink)) {
                return Outcome.FAILED;
            }
            Map<Integer, Replicas.Call> calls = new TreeMap<>();
            for (int b : lock.bricks()) {
                if (!present.contains(b) && b != sink) {
                    continue;
                }
                FopRequest.Builder req = b == source
                        ? FopRequest.newBuilder().setFetch(Fetch.newBuilder().setPath(path).setGfid(Wire.gfid(g))
                                .setMaxData(DataCopy.SMALL))
                        : FopRequest.newBuilder().setLookup(Lookup.newBuilder().setPath(path));
                calls.put(b, r.start(b, req, Replicas.held(keys), false));
            }
            Map<Integer, FopReply> replies = new TreeMap<>();
            calls.forEach((b, c) -> replies.put(b, c.reply()));
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
                        .setGfid(Wire.gfid(there.attr().gfid()))), Replicas.held(keys), true);
            } else if (there.errno() != Errno.ENOENT) {
                throw new FopException(there.errno(), path + " on brick " + r.address(sink) + ": "
                        + Errno.describe(there.errno()));
            }
            if (installOn(path, source, sink, g, fetched, keys)) {
                settle(path, g, source, sink, replies, lock.bricks());
            }
        }
        if (want.type() == FileType.DIRECTORY) {
            // a new directory is empty on the sink: its names come next, as their own task
            run.submit(() -> new EntryHeal(run).heal(path));
        }
        return Outcome.HEALED;
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
    private boolean installOn(String path, int source, int sink, Gfid g, FopReply fetched, List<String> keys) {
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
            in.setData(fetched.getData());
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

    /** The installed inode's own marks (data and metadata the sink lacked) are settled on every brick. */
    private void settle(String path, Gfid g, int source, int sink, Map<Integer, FopReply> replies,
            List<Integer> locked) {
        if (g == null) {
            return;
        }
        Map<Integer, Changelog> observed = new TreeMap<>();
        replies.forEach((b, reply) -> {
            if (b != sink) {
                View v = View.of(b, reply);
                if (v.holds(g)) {
                    observed.put(b, v.changelog());
                }
            }
        });
        observed.put(sink, Changelog.CLEAN);
        Set<Integer> away = new TreeSet<>();
        for (int b = 0; b < r.spec().replica(); b++) {
            if (!locked.contains(b)) {
                away.add(b);
            }
        }
        Settlement s = new Settlement(observed, away);
        s.healed(source, sink, Counters.DATA | Counters.METADATA);
        r.call(sink, s.request(sink, path, g, false), Replicas.held(List.of()), false);
        List<Integer> others = new ArrayList<>(observed.keySet());
        others.remove(Integer.valueOf(sink));
        r.call(others, b -> s.request(b, path, g, false), Replicas.held(List.of()), false);
    }

    /** Removes from the sink a name the source no longer has (checked again under the keys). */
    Outcome expunge(String path, int source, int sink, DirEntry have) {
        Gfid g = gfid(have);
        List<String> keys = keys(path, g);
        try (Replicas.Lock lock = r.lock(keys, wait)) {
            if (!lock.bricks().contains(source) || !lock.bricks().contains(sink)) {
                return Outcome.FAILED;
            }
            Map<Integer, View> views = View.lookup(r, List.of(source, sink), path, keys);
            View src = views.get(source);
            View there = views.get(sink);
            if (src == null || there == null) {
                return Outcome.FAILED;
            }
            if (src.errno() == 0 && (g == null || g.equals(src.attr().gfid()))) {
                return Outcome.CLEAN; // the source has it (again): nothing to remove
            }
            if (there.errno() != 0 || (g != null && !g.equals(there.attr().gfid()))) {
                return Outcome.CLEAN;
            }
            r.call(sink, FopRequest.newBuilder().setExpunge(Expunge.newBuilder().setPath(path)
                    .setGfid(Wire.gfid(g))), Replicas.held(keys), true);
            return Outcome.HEALED;
        }
    }

    /** A symlink's or special file's owner, mode and times, from the source. */
    Outcome metadata(String path, int source, int sink) {
        List<String> keys = keys(path);
        try (Replicas.Lock lock = r.lock(keys, wait)) {
            FopReply img = r.call(source, FopRequest.newBuilder().setFetch(Fetch.newBuilder().setPath(path)
                    .setMaxData(0)), Replicas.held(keys), false);
            r.call(sink, FopRequest.newBuilder().setSetMeta(SetMeta.newBuilder().setPath(path)
                    .setStat(img.getStat()).setXattrsValid(false)), Replicas.held(keys), true);
            return Outcome.HEALED;
        }
    }
}
