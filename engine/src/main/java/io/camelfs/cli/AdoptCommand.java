package io.camelfs.cli;

import io.camelfs.afr.Replicas;
import io.camelfs.fop.Attr;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.SetAttr;
import io.camelfs.fop.Timespec;
import io.camelfs.fop.VolumePath;
import io.camelfs.heal.HealProgress;
import io.camelfs.heal.HealReport;
import io.camelfs.heal.Healer;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Checksums;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Lookup;
import io.camelfs.protocol.v1.Mark;
import io.camelfs.protocol.v1.Readdir;
import io.camelfs.protocol.v1.Setattr;
import io.camelfs.protocol.v1.Unlink;
import io.camelfs.volume.BrickAddress;
import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Turns directories that rsync kept roughly in sync on several nodes into the bricks of one volume, without copying
 * what is already the same: start the volume's bricks on those directories, then run this. Every file and directory
 * gets one volume-wide id on every brick; copies that differ are reported and -- unless --dry-run -- healed from
 * the source (the copy changed last, or a brick named with --source) by marking the others as behind it and
 * running an index heal, so only what differs travels.
 */
@Command(name = "adopt", mixinStandardHelpOptions = true,
         description = {"Adopt directories kept in sync by rsync as the bricks of a volume: assign ids, compare,",
             "report differences and heal them from the newest copy (or --source); --dry-run changes nothing."})
final class AdoptCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST:PORT:/VOLUME",
                description = "the volume, its bricks started on the adopted directories")
    String target;

    @Option(names = "--dry-run", description = "report what differs and what would be done; change nothing")
    boolean dryRun;

    @Option(names = "--source", paramLabel = "newest|HOST:PORT", defaultValue = "newest",
            description = "which copy wins where copies differ (default: the one changed last)")
    String source;

    private PrintWriter out;
    private int differences;
    private long compared;
    private long ids;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        try (VolumeTarget t = VolumeTarget.open(target)) {
            Replicas r = t.volume.replicas();
            int n = r.spec().replica();
            for (int b = 0; b < n; b++) {
                if (!r.isUp(b)) {
                    throw new FopException(Errno.ENOTCONN, "brick " + r.address(b) + " is down;"
                            + " adopting compares every copy, so every brick must be up");
                }
            }
            int forced = -1;
            if (!source.equals("newest")) {
                forced = r.spec().indexOf(BrickAddress.parse(source));
                if (forced < 0) {
                    throw new IllegalArgumentException("--source " + source + " is not a brick of volume "
                            + r.spec().name() + " (" + r.spec().bricks() + ")");
                }
            }
            Deque<String> dirs = new ArrayDeque<>(List.of(""));
            while (!dirs.isEmpty()) {
                String dir = dirs.removeFirst();
                Map<Integer, Map<String, DirEntry>> lists = new TreeMap<>();
                for (int b = 0; b < n; b++) {
                    lists.put(b, list(r, b, dir));
                }
                TreeSet<String> names = new TreeSet<>();
                lists.values().forEach(l -> names.addAll(l.keySet()));
                List<Integer> lacking = new ArrayList<>();
                for (String name : names) {
                    String path = VolumePath.child(dir, name);
                    List<Integer> holders = new ArrayList<>();
                    boolean directory = false;
                    for (int b = 0; b < n; b++) {
                        DirEntry e = lists.get(b).get(name);
                        if (e != null) {
                            holders.add(b);
                            directory |= e.type() == FileType.DIRECTORY;
                            if (e.attr() == null || e.attr().gfid() == null) {
                                ids++;
                            }
                        }
                    }
                    compared++;
                    if (holders.size() < n) {
                        List<String> where = new ArrayList<>();
                        for (int b = 0; b < n; b++) {
                            if (!holders.contains(b)) {
                                where.add(r.address(b));
                                if (!lacking.contains(b)) {
                                    lacking.add(b);
                                }
                            }
                        }
                        differences++;
                        out.println("/" + path + ": missing on " + String.join(", ", where));
                    }
                    if (!dryRun) {
                        t.volume.lookup(path); // gives copies created outside camelfs one id on every brick
                    }
                    if (directory) {
                        dirs.addLast(path);
                    } else if (holders.size() > 1) {
                        compareFile(r, t, path, holders, lists, name, forced);
                    }
                }
                if (!lacking.isEmpty()) {
                    markEntries(r, dir, lists, forced);
                }
            }
            out.printf("%d names compared, %d given volume-wide ids, %d differences%n", compared, dryRun ? 0 : ids,
                    differences);
            if (dryRun) {
                out.println("dry run: nothing was changed");
                return 0;
            }
            if (differences > 0) {
                try (Healer h = new Healer(r, "adopt")) {
                    for (int round = 0; round < 3; round++) {
                        HealReport rep = h.index(HealProgress.NONE);
                        out.println(HealCommand.summary(rep));
                        if (rep.scanned() == 0) {
                            break;
                        }
                    }
                }
            }
            return 0;
        }
    }

    /** A brick's own listing of one directory, with attributes. */
    private static Map<String, DirEntry> list(Replicas r, int b, String dir) {
        Map<String, DirEntry> out = new LinkedHashMap<>();
        long cookie = 0;
        for (;;) {
            FopReply reply = Replicas.checked(r.call(b, FopRequest.newBuilder().setReaddir(Readdir.newBuilder()
                    .setPath(dir).setCookie(cookie).setMaxEntries(1000).setStat(true)), Replicas.held(List.of()),
                    false));
            for (var e : reply.getEntriesList()) {
                DirEntry d = Wire.dirEntry(e);
                if (!d.name().equals(".") && !d.name().equals("..")) {
                    out.put(d.name(), d);
                }
                cookie = e.getCookie();
            }
            if (reply.getEof() || reply.getEntriesCount() == 0) {
                return out;
            }
        }
    }

    /** Size, mtime, mode, owner and content (block checksums) of each copy; different copies get healed. */
    private void compareFile(Replicas r, VolumeTarget t, String path, List<Integer> holders,
            Map<Integer, Map<String, DirEntry>> lists, String name, int forced) {
        Map<Integer, String> prints = new TreeMap<>();
        for (int b : holders) {
            Attr a = lists.get(b).get(name).attr();
            if (a == null || lists.get(b).get(name).type() != FileType.REGULAR) {
                return; // symlinks and specials: their directory's entry heal compares them
            }
            prints.put(b, a.size() + " " + Integer.toOctalString(a.mode()) + " " + a.uid() + ":" + a.gid() + " "
                    + a.mtime() + " " + content(r, b, path, a.size()));
        }
        if (new TreeSet<>(prints.values()).size() <= 1) {
            return;
        }
        int src = forced >= 0 && holders.contains(forced) ? forced : newest(holders, lists, name);
        List<Integer> behind = new ArrayList<>();
        List<String> where = new ArrayList<>();
        for (int b : holders) {
            if (!prints.get(b).equals(prints.get(src))) {
                behind.add(b);
                where.add(r.address(b));
            }
        }
        differences++;
        out.println("/" + path + ": differs on " + String.join(", ", where) + " from " + r.address(src)
                + (dryRun ? " (would copy from " + r.address(src) + ")" : "; healing from " + r.address(src)));
        if (!dryRun) {
            Gfid g = t.volume.lookup(path).gfid();
            // the source blames the others for data and metadata: the index heal copies what differs
            FopRequest op = FopRequest.newBuilder().setSetattr(Setattr.newBuilder().setPath(path)
                    .setGfid(Wire.gfid(g)).setValid(SetAttr.SIZE | SetAttr.MODE))
                    .build();
            Replicas.checked(r.call(src, FopRequest.newBuilder().setMark(Mark.newBuilder().setOp(op)
                    .addAllBricks(behind)), Replicas.held(List.of()), true));
        }
    }

    /** The directory copy changed last is the source of its names; the others are marked behind it. */
    private void markEntries(Replicas r, String dir, Map<Integer, Map<String, DirEntry>> lists, int forced) {
        if (dryRun) {
            return;
        }
        int n = r.spec().replica();
        int src = forced;
        if (src < 0) {
            Timespec best = null;
            for (int b = 0; b < n; b++) {
                FopReply look = r.call(b, FopRequest.newBuilder().setLookup(Lookup
                        .newBuilder().setPath(dir)), Replicas.held(List.of()), false);
                if (look.getErrno() == 0) {
                    Timespec m = Wire.time(look.getStat().getMtime());
                    if (best == null || m.compareTo(best) > 0) {
                        best = m;
                        src = b;
                    }
                }
            }
        }
        if (src < 0) {
            return;
        }
        List<Integer> behind = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            if (b != src) {
                behind.add(b);
            }
        }
        FopRequest op = FopRequest.newBuilder().setUnlink(Unlink.newBuilder().setPath(VolumePath.child(dir,
                ".camelfs-adopt"))).build(); // an entry operation in dir: its targets are dir's entries
        Replicas.checked(r.call(src, FopRequest.newBuilder().setMark(Mark.newBuilder().setOp(op)
                .addAllBricks(behind)), Replicas.held(List.of()), true));
        out.println("/" + dir + ": names from " + r.address(src) + " (changed last)");
    }

    private static int newest(List<Integer> holders, Map<Integer, Map<String, DirEntry>> lists, String name) {
        int best = holders.get(0);
        for (int b : holders) {
            if (lists.get(b).get(name).attr().mtime().compareTo(lists.get(best).get(name).attr().mtime()) > 0) {
                best = b;
            }
        }
        return best;
    }

    private static String content(Replicas r, int b, String path, long size) {
        FopReply reply = Replicas.checked(r.call(b, FopRequest.newBuilder().setChecksums(Checksums.newBuilder()
                .setPath(path).setBlockSize(128 << 10).setOffset(0).setBlocks((int) Math.min(65_536,
                        size / (128 << 10) + 1))), Replicas.held(List.of()), false));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            reply.getChecksumsList().forEach(c -> sha.update(c.asReadOnlyByteBuffer()));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
