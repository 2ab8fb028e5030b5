package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.camelfs.fop.Errno;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.SetAttr;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Create;
import io.camelfs.protocol.v1.Fetch;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Link;
import io.camelfs.protocol.v1.Lookup;
import io.camelfs.protocol.v1.Mkdir;
import io.camelfs.protocol.v1.Read;
import io.camelfs.protocol.v1.Readdir;
import io.camelfs.protocol.v1.Rename;
import io.camelfs.protocol.v1.Setattr;
import io.camelfs.protocol.v1.Setxattr;
import io.camelfs.protocol.v1.Time;
import io.camelfs.protocol.v1.Unlink;
import io.camelfs.protocol.v1.Write;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The time-of-check/time-of-use attack: while requests arrive for names under a directory, that directory (and one
 * inside it) is swapped, again and again, for a symlink that leads out of the brick. Whatever the interleaving, the
 * brick must work inside itself or refuse: nothing outside is created, changed, or read into a reply.
 */
class PathContainmentRaceTest {
    private static final String SECRET = "outside-secret-3f9c";
    private static final String OUTSIDE_ONLY = "outside-only-name";
    /** The names the requests use, present both inside "d" (and "d/inner") and in the outside directory. */
    private static final List<String> NAMES = List.of("secret", "file", "movable", "victim");
    private static final long RACE_MILLIS = 2500;
    private static final int MAX_OPS = 200_000;
    private static final int MAX_SWAP_ROUNDS = 2_000_000;
    /** Well below what one core manages in RACE_MILLIS (thousands): the race must really have been run. */
    private static final int MIN_OPS = 500;
    private static final int MIN_SWAP_ROUNDS = 100;
    private static final int OPS = 17;
    /** What a request may meet: success, or a refusal or miss the interleaving explains. Never EIO or a crash. */
    private static final Set<Integer> EXPECTED = Set.of(0, Errno.ENOENT, Errno.EEXIST, Errno.ELOOP);

    @TempDir
    Path tmp;

    @Test
    void aDirectorySwappedForASymlinkNeverLeadsOutside() throws Exception {
        Path outside = tmp.resolve("outside");
        fill(outside, "outside");
        fill(outside.resolve("inner"), "outside inner");
        try (HostileBrick brick = new HostileBrick(tmp.resolve("v"))) {
            // a client can build all of this through the protocol: directories, files, symlinks out of the brick
            assertEquals(0, brick.mkdir("d").getErrno());
            assertEquals(0, brick.mkdir("d/inner").getErrno());
            for (String n : NAMES) {
                assertEquals(0, brick.create("d/" + n, "inside " + n).getErrno());
                assertEquals(0, brick.create("d/inner/" + n, "inside inner " + n).getErrno());
            }
            assertEquals(0, brick.symlink("d-abs", outside.toString()).getErrno());
            assertEquals(0, brick.symlink("d-rel", brick.dir.relativize(outside).toString()).getErrno());
            assertEquals(0, brick.symlink("d/inner-link", outside.resolve("inner").toString()).getErrno());
            TreeSnapshot before = TreeSnapshot.of(outside);
            Set<Long> outsideInodes = before.inodes(outside);

            SymlinkSwapper swapper = new SymlinkSwapper(brick.dir, outside, RACE_MILLIS, MAX_SWAP_ROUNDS);
            Thread swapping = new Thread(swapper, "symlink-swapper");
            long start = System.nanoTime();
            long end = start + RACE_MILLIS * 1_000_000;
            swapping.start();
            Map<String, Integer> outcomes = new TreeMap<>();
            int ops = 0;
            while (ops < MAX_OPS && System.nanoTime() < end) {
                String p = (ops & 1) == 0 ? "d/" : "d/inner/";
                FopReply r = brick.send(request(ops / 2 % OPS, p, ops));
                assertTrue(EXPECTED.contains(r.getErrno()), "op " + ops + ": " + Errno.name(r.getErrno()) + " "
                        + r.getError());
                assertNothingFromOutside(r, outsideInodes);
                outcomes.merge(r.getErrno() == 0 ? "OK" : Errno.name(r.getErrno()), 1, Integer::sum);
                ops++;
            }
            swapping.join();
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("symlink swap race: " + ops + " operations in " + millis + " ms against "
                    + swapper.rounds() + " swap rounds; outcomes " + outcomes);

            assertNull(swapper.failure(), () -> "the swapper failed: " + swapper.failure());
            assertEquals(before, TreeSnapshot.of(outside), "nothing outside the brick created, changed or removed");
            try (Stream<Path> s = Files.list(tmp)) {
                assertEquals(Set.of(outside, tmp.resolve("v")), Set.copyOf(s.toList()), "nothing new next to it");
            }
            try (Stream<Path> s = Files.walk(brick.dir)) {
                assertTrue(s.noneMatch(p -> outsideInodes.contains(TreeSnapshot.inode(p))),
                        "no hard link to an outside inode inside the brick");
            }
            assertTrue(ops >= MIN_OPS, "only " + ops + " operations: the race was not really run");
            assertTrue(swapper.rounds() >= MIN_SWAP_ROUNDS, "only " + swapper.rounds() + " swap rounds");
            assertTrue(outcomes.getOrDefault("ELOOP", 0) > 0, "no request ever met the symlink: " + outcomes);
            assertTrue(outcomes.getOrDefault("OK", 0) > 0, "no request ever met the directory");
        }
    }

    /** A directory holding the shared names, the secret, and one name only the outside has. */
    private static void fill(Path dir, String what) throws Exception {
        Files.createDirectories(dir);
        for (String n : NAMES) {
            Files.writeString(dir.resolve(n), n.equals("secret") ? SECRET : what + " " + n);
        }
        Files.createFile(dir.resolve(OUTSIDE_ONLY));
    }

    /** Request k of the cycle, for names under p; n makes new names unique. */
    private static FopRequest.Builder request(int k, String p, int n) {
        FopRequest.Builder r = FopRequest.newBuilder();
        ByteString pwned = ByteString.copyFromUtf8("pwned");
        switch (k) {
            case 0 -> r.setCreate(Create.newBuilder().setPath(p + "new-" + n).setMode(0644)
                    .setGfid(gfid()).setData(pwned));
            case 1 -> r.setWrite(Write.newBuilder().setPath(p + "file").setData(pwned).setTruncate(5));
            case 2 -> r.setRead(Read.newBuilder().setPath(p + "secret").setLength(4096));
            case 3 -> r.setMkdir(Mkdir.newBuilder().setPath(p + "dir-" + n).setMode(0755).setGfid(gfid()));
            case 4 -> r.setCreate(Create.newBuilder().setPath(p + "victim").setMode(0644).setGfid(gfid()));
            case 5 -> r.setUnlink(Unlink.newBuilder().setPath(p + "victim"));
            case 6 -> r.setRename(Rename.newBuilder().setFrom(p + "file").setTo(p + "file.moved"));
            case 7 -> r.setRename(Rename.newBuilder().setFrom(p + "file.moved").setTo(p + "file"));
            case 8 -> r.setSetattr(Setattr.newBuilder().setPath(p + "file").setValid(SetAttr.MODE | SetAttr.MTIME)
                    .setMode(0600).setMtime(Time.newBuilder().setSec(1000)));
            case 9 -> r.setLink(Link.newBuilder().setExisting(p + "file").setPath(p + "link-" + n));
            case 10 -> r.setLink(Link.newBuilder().setExisting(p + "secret").setPath("hard-" + n));
            case 11 -> r.setRename(Rename.newBuilder().setFrom(p + "movable").setTo("moved-out-" + p.length()));
            case 12 -> r.setRename(Rename.newBuilder().setFrom("moved-out-" + p.length()).setTo(p + "movable"));
            case 13 -> r.setLookup(Lookup.newBuilder().setPath(p + "secret"));
            case 14 -> r.setReaddir(Readdir.newBuilder().setPath(p).setMaxEntries(200).setStat(true));
            case 15 -> r.setFetch(Fetch.newBuilder().setPath(p + "secret").setMaxData(4096));
            case 16 -> r.setSetxattr(Setxattr.newBuilder().setPath(p + "file").setName("user.pwned").setValue(pwned));
            default -> throw new IllegalArgumentException("no request " + k);
        }
        return r;
    }

    private static ByteString gfid() {
        return Wire.gfid(Gfid.random());
    }

    /** No reply carries the outside's secret or a name only it has, or describes one of its inodes. */
    private static void assertNothingFromOutside(FopReply r, Set<Long> outsideInodes) {
        String all = r.toByteString().toString(StandardCharsets.ISO_8859_1);
        assertFalse(all.contains(SECRET), () -> "a reply carries the outside's secret: " + r);
        assertFalse(all.contains(OUTSIDE_ONLY), () -> "a reply lists the outside directory: " + r);
        if (r.hasStat()) {
            assertFalse(outsideInodes.contains(r.getStat().getIno()), () -> "a reply describes an outside inode");
        }
        r.getEntriesList().forEach(e -> assertFalse(outsideInodes.contains(e.getStat().getIno()),
                "a listing describes an outside inode"));
    }
}
