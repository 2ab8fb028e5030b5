package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.posix.Stat;
import io.camelfs.protocol.v1.Checksums;
import io.camelfs.protocol.v1.Fetch;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Mknod;
import io.camelfs.protocol.v1.Write;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device node's data is not in the brick: it is the disk, memory or whatever else the device is. A brick never
 * reads or writes one (data requests on it are EINVAL), and that must hold while a hostile client swaps a regular
 * file and a device node between the brick's look at a name and its open of it. (A client can do the swap itself:
 * MKNOD and RENAME with RENAME_EXCHANGE are protocol requests; here a local thread does it, faster.) /dev/zero's
 * numbers are used, so an escape reads zeros and writes nowhere.
 */
class PathContainmentDeviceRaceTest {
    private static final String CONTENT = "inside file";
    private static final long RACE_MILLIS = 2000;
    private static final int MAX_OPS = 200_000;
    private static final int MAX_ROUNDS = 5_000_000;
    private static final int MIN_OPS = 500;
    /** Served as the file, refused as the device (EINVAL), or caught in between (ESTALE). */
    private static final Set<Integer> EXPECTED = Set.of(0, Errno.EINVAL, Errno.ESTALE);

    @TempDir
    Path tmp;

    @Test
    void aFileSwappedForADeviceIsNeverReadOrWrittenAsOne() throws Exception {
        try (HostileBrick brick = new HostileBrick(tmp.resolve("v"))) {
            assertEquals(0, brick.create("file", CONTENT).getErrno());
            FopReply mk = brick.send(FopRequest.newBuilder().setMknod(Mknod.newBuilder().setPath("dev")
                    .setMode(FileType.CHAR_DEVICE.bits() | 0666).setRdev(Stat.makedev(1, 5))));
            assumeTrue(mk.getErrno() == 0, "making a device node needs CAP_MKNOD: " + mk.getError());
            assertEquals(Errno.EINVAL, brick.read("dev").getErrno(), "unraced, a device is never read");

            NameExchanger exchanger = new NameExchanger(brick.dir, "file", "dev", RACE_MILLIS, MAX_ROUNDS);
            Thread swapping = new Thread(exchanger, "device-swapper");
            long end = System.nanoTime() + RACE_MILLIS * 1_000_000;
            swapping.start();
            Map<String, Integer> outcomes = new TreeMap<>();
            int ops = 0;
            while (ops < MAX_OPS && System.nanoTime() < end) {
                FopRequest.Builder req = request(ops % 4);
                FopReply r = brick.send(req);
                assertTrue(EXPECTED.contains(r.getErrno()), req.getOpCase() + " " + ops + ": "
                        + Errno.name(r.getErrno()) + " " + r.getError());
                if (r.getErrno() == 0) {
                    assertServedAsTheFile(r, req.getOpCase());
                }
                outcomes.merge(r.getErrno() == 0 ? "OK" : Errno.name(r.getErrno()), 1, Integer::sum);
                ops++;
            }
            swapping.join();
            System.out.println("device swap race: " + ops + " operations against " + exchanger.rounds()
                    + " swap rounds; outcomes " + outcomes);
            assertNull(exchanger.failure(), () -> "the swapper failed: " + exchanger.failure());
            assertTrue(ops >= MIN_OPS, "only " + ops + " operations: the race was not really run");
            assertTrue(outcomes.getOrDefault("OK", 0) > 0 && outcomes.getOrDefault("EINVAL", 0) > 0,
                    "requests met both the file and the device: " + outcomes);
        }
    }

    private static FopRequest.Builder request(int k) {
        FopRequest.Builder r = FopRequest.newBuilder();
        switch (k) {
            case 0 -> r.setRead(io.camelfs.protocol.v1.Read.newBuilder().setPath("file").setLength(4096));
            case 1 -> r.setWrite(Write.newBuilder().setPath("file").setData(ByteString.copyFromUtf8(CONTENT))
                    .setTruncate(-1));
            case 2 -> r.setFetch(Fetch.newBuilder().setPath("file").setMaxData(4096));
            default -> r.setChecksums(Checksums.newBuilder().setPath("file").setBlockSize(4096).setBlocks(1));
        }
        return r;
    }

    /**
     * Whatever was served came from the regular file: its bytes, never the device's zeros. Only heal's fetch may
     * describe the device (it copies special files' metadata), and then without data.
     */
    private static void assertServedAsTheFile(FopReply r, FopRequest.OpCase op) {
        if (!r.getData().isEmpty()) {
            assertEquals(CONTENT, r.getData().toStringUtf8(), op + " read the device");
        }
        if (r.hasStat() && (r.getStat().getMode() & FileType.S_IFMT) != FileType.REGULAR.bits()) {
            assertEquals(FopRequest.OpCase.FETCH, op, op + " served a device: " + r);
            assertTrue(r.getData().isEmpty(), "fetch returned the device's data");
        }
        if (r.getChecksumsCount() > 0) {
            assertEquals(1, r.getChecksumsCount());
            assertEquals(sha256(CONTENT), r.getChecksums(0), "checksummed the device's zeros");
        }
    }

    private static ByteString sha256(String s) {
        try {
            return ByteString.copyFrom(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
