package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.SetAttr;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Checksums;
import io.camelfs.protocol.v1.Create;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.Install;
import io.camelfs.protocol.v1.Lock;
import io.camelfs.protocol.v1.LockCmd;
import io.camelfs.protocol.v1.Mkdir;
import io.camelfs.protocol.v1.Mknod;
import io.camelfs.protocol.v1.SetGfid;
import io.camelfs.protocol.v1.SetMeta;
import io.camelfs.protocol.v1.Setattr;
import io.camelfs.protocol.v1.Stat;
import io.camelfs.protocol.v1.Time;
import io.camelfs.protocol.v1.Write;
import io.camelfs.protocol.v1.Xattr;
import io.camelfs.testing.BrickInspector;
import io.camelfs.testing.LocalVolume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request the brick refuses changes nothing on disk, and malformed fields are refused as the client's error
 * (EINVAL), not as the brick's (EIO, an internal error). Found by {@link ProtocolFuzzTest}; each test here pins
 * one case it found.
 */
class RejectedRequestTest {
    @TempDir
    Path tmp;
    private LocalVolume volume;
    private Path brick;
    private int port;

    @BeforeEach
    void start() throws IOException {
        volume = new LocalVolume(tmp.resolve("v"), 1);
        brick = volume.dirs.get(0);
        port = volume.spec.bricks().get(0).port();
    }

    @AfterEach
    void stop() {
        volume.close();
    }

    /** Adopting a file (set_gfid) without naming the gfid to give it was an internal error (a NullPointerException). */
    @Test
    void anAdoptionWithoutGfidIsRefused() throws Exception {
        Files.writeString(brick.resolve("made-outside"), "x");
        Map<String, String> before = BrickInspector.snapshot(brick, true);
        FopReply r = call(FopRequest.newBuilder().setSetGfid(SetGfid.newBuilder().setPath("made-outside")));
        assertEquals(Errno.EINVAL, r.getErrno(), r.getError());
        assertEquals(before, BrickInspector.snapshot(brick, true));
    }

    /** A create or mkdir without a gfid used to make the inode, fail setting the gfid, and leave it behind. */
    @Test
    void aCreateOrMkdirWithoutGfidLeavesNothingBehind() throws Exception {
        Map<String, String> before = BrickInspector.snapshot(brick, true);
        assertEquals(Errno.EINVAL, call(FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("no-gfid")
                .setMode(0644).setData(ByteString.copyFromUtf8("x")))).getErrno());
        assertEquals(Errno.EINVAL, call(FopRequest.newBuilder().setMkdir(Mkdir.newBuilder().setPath("no-gfid-dir")
                .setMode(0755))).getErrno());
        assertEquals(Errno.EINVAL, call(FopRequest.newBuilder().setMknod(Mknod.newBuilder().setPath("no-gfid-node")
                .setMode(FileType.REGULAR.bits() | 0644))).getErrno());
        assertEquals(before, BrickInspector.snapshot(brick, true));
    }

    /**
     * A time with nanoseconds beyond 999999999 is refused before anything changes. The brick applies times last
     * (utimensat), so such a request used to fail with EINVAL after its truncate, write or mkdir had been done.
     */
    @Test
    void anInvalidTimeIsRefusedBeforeAnythingChanges() throws Exception {
        assertEquals(0, call(FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("f").setMode(0644)
                .setGfid(Wire.gfid(Gfid.random())).setData(ByteString.copyFromUtf8("content")))).getErrno());
        Map<String, String> before = BrickInspector.snapshot(brick, true);
        Time bad = Time.newBuilder().setSec(1_700_000_000L).setNsec(2_000_000_000).build();
        List<FopRequest.Builder> ops = List.of(
                FopRequest.newBuilder().setSetattr(Setattr.newBuilder().setPath("f")
                        .setValid(SetAttr.SIZE | SetAttr.MTIME).setSize(2).setMtime(bad)),
                FopRequest.newBuilder().setHeader(Header.newBuilder().setTime(bad)).setWrite(Write.newBuilder()
                        .setPath("f").setData(ByteString.copyFromUtf8("XY")).setTruncate(-1)),
                FopRequest.newBuilder().setHeader(Header.newBuilder().setTime(bad)).setMkdir(Mkdir.newBuilder()
                        .setPath("dir").setGfid(Wire.gfid(Gfid.random())).setMode(0755)));
        for (FopRequest.Builder op : ops) {
            FopReply r = call(op);
            assertEquals(Errno.EINVAL, r.getErrno(), op.getOpCase() + ": " + r.getError());
        }
        assertEquals(before, BrickInspector.snapshot(brick, true));
    }

    /** A setattr with a size for a directory used to be refused (EISDIR) only after it had set the mode. */
    @Test
    void aRefusedSetattrLeavesTheModeAlone() throws Exception {
        assertEquals(0, call(FopRequest.newBuilder().setMkdir(Mkdir.newBuilder().setPath("dir").setMode(0755)
                .setGfid(Wire.gfid(Gfid.random())))).getErrno());
        Map<String, String> before = BrickInspector.snapshot(brick, true);
        FopReply r = call(FopRequest.newBuilder().setSetattr(Setattr.newBuilder().setPath("dir")
                .setValid(SetAttr.MODE | SetAttr.SIZE).setMode(0700).setSize(0)));
        assertEquals(Errno.EISDIR, r.getErrno(), r.getError());
        assertEquals(before, BrickInspector.snapshot(brick, true));
    }

    /** A size beyond 2^63-1 (found by the fuzzer, seed 8458120136868528644) was refused after the chmod. */
    @Test
    void aSetattrWithAnImpossibleSizeChangesNothing() throws Exception {
        assertEquals(0, call(FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("sized").setMode(0644)
                .setGfid(Wire.gfid(Gfid.random())))).getErrno());
        Map<String, String> before = BrickInspector.snapshot(brick, true);
        FopReply r = call(FopRequest.newBuilder().setSetattr(Setattr.newBuilder().setPath("sized")
                .setValid(SetAttr.MODE | SetAttr.SIZE).setMode(0).setSize(-5)));
        assertEquals(Errno.EINVAL, r.getErrno(), r.getError());
        assertEquals(before, BrickInspector.snapshot(brick, true));
    }

    /**
     * Malformed fields are the client's error: a gfid of the wrong length used to be an internal error (EIO with a
     * stack trace in the log), an unknown lock type an internal error frame, an unknown lock command a wait, and
     * a uint32 block count above 2^31 (a negative int) an internal error too.
     */
    @Test
    void malformedGfidsAndLockFieldsAreInvalidArguments() throws Exception {
        assertEquals(0, call(FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("f").setMode(0644)
                .setGfid(Wire.gfid(Gfid.random())))).getErrno());
        Map<String, String> before = BrickInspector.snapshot(brick, true);
        List<FopRequest.Builder> ops = List.of(
                FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("g").setMode(0644)
                        .setGfid(ByteString.copyFrom(new byte[15]))),
                FopRequest.newBuilder().setWrite(Write.newBuilder().setPath("f").setTruncate(-1)
                        .setGfid(ByteString.copyFrom(new byte[17])).setData(ByteString.copyFromUtf8("x"))),
                FopRequest.newBuilder().setLock(Lock.newBuilder().setPath("f")
                        .setCmd(LockCmd.SETLK).setTypeValue(99)),
                FopRequest.newBuilder().setLock(Lock.newBuilder().setPath("f")
                        .setCmdValue(7).setWaitMillis(100)));
        for (FopRequest.Builder op : ops) {
            FopReply r = call(op);
            assertEquals(Errno.EINVAL, r.getErrno(), op.getOpCase() + ": " + r.getError());
        }
        FopReply sums = call(FopRequest.newBuilder().setChecksums(Checksums.newBuilder().setPath("f")
                .setBlockSize(4096).setBlocks(-1)));
        assertEquals(0, sums.getErrno(), sums.getError());
        assertEquals(before, BrickInspector.snapshot(brick, true));
    }

    /**
     * A heal's install or set-meta carries user xattrs only. Other names used to fail (EOPNOTSUPP) only after the
     * install had rewritten the data, and camelfs's own names were written as given.
     */
    @Test
    void healImagesWithForeignXattrsChangeNothing() throws Exception {
        Gfid g = Gfid.random();
        assertEquals(0, call(FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("f").setMode(0644)
                .setGfid(Wire.gfid(g)).setData(ByteString.copyFromUtf8("before")))).getErrno());
        Map<String, String> before = BrickInspector.snapshot(brick, true);
        Stat file = Stat.newBuilder()
                .setMode(FileType.REGULAR.bits() | 0600).setMtime(Time.newBuilder().setSec(1_600_000_000L)).build();
        for (String name : new String[] {"security.selinux", "trusted.x", "user.camelfs.gfid", "user."}) {
            Xattr x = Xattr.newBuilder().setName(name)
                    .setValue(ByteString.copyFromUtf8("v")).build();
            List<FopRequest.Builder> ops = List.of(
                    FopRequest.newBuilder().setInstall(Install.newBuilder().setPath("f").setGfid(Wire.gfid(g))
                            .setStat(file).setData(ByteString.copyFromUtf8("after")).setWhole(true).addXattrs(x)),
                    FopRequest.newBuilder().setInstall(Install.newBuilder().setPath("new").setStat(file)
                            .setGfid(Wire.gfid(Gfid.random())).addXattrs(x)),
                    FopRequest.newBuilder().setSetMeta(SetMeta.newBuilder().setPath("f").setGfid(Wire.gfid(g))
                            .setStat(file).setXattrsValid(true).addXattrs(x)));
            for (FopRequest.Builder op : ops) {
                FopReply r = call(op);
                assertEquals(Errno.EINVAL, r.getErrno(), name + " " + op.getOpCase() + ": " + r.getError());
            }
        }
        assertEquals(before, BrickInspector.snapshot(brick, true));
    }

    /** One file operation on a fresh connection. */
    private FopReply call(FopRequest.Builder op) throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            return c.call(op.build());
        }
    }
}
