package io.camelfs.brick;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.camelfs.fop.FileType;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.SetAttr;
import io.camelfs.protocol.Method;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Batch;
import io.camelfs.protocol.v1.Checksums;
import io.camelfs.protocol.v1.Create;
import io.camelfs.protocol.v1.Events;
import io.camelfs.protocol.v1.Expunge;
import io.camelfs.protocol.v1.Fallocate;
import io.camelfs.protocol.v1.Fetch;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Fsync;
import io.camelfs.protocol.v1.Getxattr;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.HealStats;
import io.camelfs.protocol.v1.HelloRequest;
import io.camelfs.protocol.v1.IndexKind;
import io.camelfs.protocol.v1.IndexList;
import io.camelfs.protocol.v1.Install;
import io.camelfs.protocol.v1.LeaseMode;
import io.camelfs.protocol.v1.LeaseRequest;
import io.camelfs.protocol.v1.Link;
import io.camelfs.protocol.v1.Listxattr;
import io.camelfs.protocol.v1.Locate;
import io.camelfs.protocol.v1.Lock;
import io.camelfs.protocol.v1.LockCmd;
import io.camelfs.protocol.v1.LockType;
import io.camelfs.protocol.v1.Lookup;
import io.camelfs.protocol.v1.Mark;
import io.camelfs.protocol.v1.Mkdir;
import io.camelfs.protocol.v1.Mknod;
import io.camelfs.protocol.v1.PingRequest;
import io.camelfs.protocol.v1.Read;
import io.camelfs.protocol.v1.Readdir;
import io.camelfs.protocol.v1.Readlink;
import io.camelfs.protocol.v1.Removexattr;
import io.camelfs.protocol.v1.Rename;
import io.camelfs.protocol.v1.Rmdir;
import io.camelfs.protocol.v1.SetGfid;
import io.camelfs.protocol.v1.SetMeta;
import io.camelfs.protocol.v1.Setattr;
import io.camelfs.protocol.v1.Settle;
import io.camelfs.protocol.v1.Setxattr;
import io.camelfs.protocol.v1.SplitBrainMark;
import io.camelfs.protocol.v1.Stat;
import io.camelfs.protocol.v1.Statfs;
import io.camelfs.protocol.v1.Symlink;
import io.camelfs.protocol.v1.Time;
import io.camelfs.protocol.v1.Truncate;
import io.camelfs.protocol.v1.Undo;
import io.camelfs.protocol.v1.Unlink;
import io.camelfs.protocol.v1.UpcallRequest;
import io.camelfs.protocol.v1.VolumeRequest;
import io.camelfs.protocol.v1.Write;
import io.camelfs.protocol.v1.Xattr;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The fuzzer's seeds: one valid request for every method and every kind of file operation, against the small tree
 * the fuzz test keeps on its brick (d/, d/f, f, s -> f). Kept as messages so mutations can work on fields as well
 * as on bytes. Gfids and the session come from the run's seed, so a seed replays the same bytes.
 */
final class FuzzCorpus {
    /** One valid request: the method it goes to and its payload. */
    record Seed(String name, Method method, Message message) {
    }

    private final ByteString session;
    private final String volume;
    private final Random rnd;
    private final ByteString fileGfid;
    private final ByteString dirGfid;
    private final List<Seed> seeds = new ArrayList<>();
    private long seq;

    FuzzCorpus(String volume, long seed) {
        this.rnd = new Random(seed);
        this.volume = volume;
        this.session = bytes(16);
        this.fileGfid = random();
        this.dirGfid = random();
        methods();
        entryOps();
        dataOps();
        metadataOps();
        healOps();
    }

    List<Seed> seeds() {
        return List.copyOf(seeds);
    }

    /** The tree the seeds name, made with the gfids they carry. */
    List<FopRequest> fixture() {
        return List.of(
                FopRequest.newBuilder().setMkdir(Mkdir.newBuilder().setPath("d").setGfid(dirGfid).setMode(0755))
                        .build(),
                FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("d/f").setGfid(random()).setMode(0644)
                        .setData(ByteString.copyFromUtf8("fixture d/f"))).build(),
                FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("f").setGfid(fileGfid).setMode(0644)
                        .setData(ByteString.copyFromUtf8("fixture f"))).build(),
                FopRequest.newBuilder().setSetxattr(Setxattr.newBuilder().setPath("f").setName("user.fuzz")
                        .setValue(ByteString.copyFromUtf8("1"))).build(),
                FopRequest.newBuilder().setSymlink(Symlink.newBuilder().setPath("s").setTarget("f")).build());
    }

    private void methods() {
        add("hello", Method.HELLO, HelloRequest.newBuilder().setSession(session).setVolume(volume)
                .setProtocol(Wire.PROTOCOL).setClient("fuzz").build());
        add("volume", Method.VOLUME, VolumeRequest.newBuilder().setVolume(volume).build());
        add("ping", Method.PING, PingRequest.newBuilder().setSession(session).setSettled(1).build());
        add("acquire", Method.ACQUIRE, LeaseRequest.newBuilder().setSession(session).addKeys("e:d/f")
                .addKeys("i:" + Wire.gfid(random()).hex()).build());
        add("acquire-wait", Method.ACQUIRE, LeaseRequest.newBuilder().setSession(session).addKeys("e:f")
                .setWait(true).setWaitMillis(50).build());
        add("release", Method.RELEASE, LeaseRequest.newBuilder().setSession(session).addKeys("e:d/f").build());
        add("subscribe", Method.SUBSCRIBE, UpcallRequest.newBuilder().setSession(session).build());
    }

    private void entryOps() {
        // the fixture again, for when fuzzed requests removed it (EEXIST otherwise)
        call("mkdir-d", b -> b.setMkdir(Mkdir.newBuilder().setPath("d").setGfid(random()).setMode(0755)));
        call("create-f", b -> b.setCreate(Create.newBuilder().setPath("f").setGfid(random()).setMode(0644)
                .setData(ByteString.copyFromUtf8("fixture f"))));
        call("create-d/f", b -> b.setCreate(Create.newBuilder().setPath("d/f").setGfid(random()).setMode(0644)));
        call("symlink-s", b -> b.setSymlink(Symlink.newBuilder().setPath("s").setTarget("f")));
        call("lookup", b -> b.setLookup(Lookup.newBuilder().setPath("d/f")));
        call("create", b -> b.setCreate(Create.newBuilder().setPath("d/new").setGfid(random()).setMode(0644)
                .setData(ByteString.copyFromUtf8("fuzz data"))));
        call("create-acquire", b -> b.setCreate(Create.newBuilder().setPath("d/leased").setGfid(random())
                .setMode(0600)), LeaseMode.LEASE_ACQUIRE, "e:d/leased");
        call("mkdir", b -> b.setMkdir(Mkdir.newBuilder().setPath("d/sub").setGfid(random()).setMode(0755)));
        call("mknod", b -> b.setMknod(Mknod.newBuilder().setPath("d/fifo").setGfid(random())
                .setMode(FileType.FIFO.bits() | 0644)));
        call("symlink", b -> b.setSymlink(Symlink.newBuilder().setPath("d/sl").setTarget("../f")));
        call("readlink", b -> b.setReadlink(Readlink.newBuilder().setPath("s")));
        call("link", b -> b.setLink(Link.newBuilder().setExisting("f").setPath("d/hard").setGfid(fileGfid)));
        call("unlink", b -> b.setUnlink(Unlink.newBuilder().setPath("d/new")));
        call("rmdir", b -> b.setRmdir(Rmdir.newBuilder().setPath("d/sub")));
        call("rename", b -> b.setRename(Rename.newBuilder().setFrom("d/hard").setTo("d/moved").setFlags(1)));
        call("readdir", b -> b.setReaddir(Readdir.newBuilder().setPath("d").setMaxEntries(100).setStat(true)));
        call("undo", b -> b.setUndo(Undo.newBuilder().setPath("d/leased").setGfid(random())));
    }

    private void dataOps() {
        call("read", b -> b.setRead(Read.newBuilder().setPath("f").setGfid(fileGfid).setLength(64).setStat(true)));
        call("write", b -> b.setWrite(Write.newBuilder().setPath("f").setOffset(3)
                .setData(ByteString.copyFromUtf8("written")).setTruncate(-1)), LeaseMode.LEASE_ACQUIRE,
                "i:" + Wire.gfid(fileGfid).hex());
        call("truncate", b -> b.setTruncate(Truncate.newBuilder().setPath("d/f").setSize(5)));
        call("fsync", b -> b.setFsync(Fsync.newBuilder().setPath("f").setDatasync(true)));
        call("fallocate", b -> b.setFallocate(Fallocate.newBuilder().setPath("f").setOffset(0).setLength(4096)));
        call("statfs", b -> b.setStatfs(Statfs.newBuilder().setPath("")));
        call("lock", b -> b.setLock(Lock.newBuilder().setPath("f").setCmd(LockCmd.SETLK).setType(LockType.WRLCK)
                .setStart(0).setLength(10).setOwner(ByteString.copyFromUtf8("owner")).setPid(7)));
        call("lock-wait", b -> b.setLock(Lock.newBuilder().setPath("f").setCmd(LockCmd.SETLKW)
                .setType(LockType.RDLCK).setLength(0).setOwner(ByteString.copyFromUtf8("other")).setWaitMillis(50)));
        call("getlk", b -> b.setLock(Lock.newBuilder().setPath("f").setCmd(LockCmd.GETLK).setType(LockType.WRLCK)));
        call("batch", b -> b.setBatch(Batch.newBuilder()
                .addOps(FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("d/b1").setGfid(random())
                        .setMode(0644).setData(ByteString.copyFromUtf8("batched"))))
                .addOps(FopRequest.newBuilder().setWrite(Write.newBuilder().setPath("d/b1")
                        .setData(ByteString.copyFromUtf8("more")).setOffset(7).setTruncate(-1)))
                .addOps(FopRequest.newBuilder().setLookup(Lookup.newBuilder().setPath("d/b1")))));
        call("events", b -> b.setEvents(Events.newBuilder().setAfter(0).setMax(10)));
    }

    private void metadataOps() {
        call("setattr", b -> b.setSetattr(Setattr.newBuilder().setPath("f").setValid(SetAttr.MODE | SetAttr.MTIME)
                .setMode(0640).setMtime(Time.newBuilder().setSec(1_700_000_000L).setNsec(5))));
        call("setattr-size", b -> b.setSetattr(Setattr.newBuilder().setPath("d/f").setValid(SetAttr.SIZE)
                .setSize(100)));
        call("setxattr", b -> b.setSetxattr(Setxattr.newBuilder().setPath("f").setName("user.fuzz")
                .setValue(ByteString.copyFromUtf8("v"))));
        call("getxattr", b -> b.setGetxattr(Getxattr.newBuilder().setPath("f").setName("user.fuzz")));
        call("listxattr", b -> b.setListxattr(Listxattr.newBuilder().setPath("f")));
        call("removexattr", b -> b.setRemovexattr(Removexattr.newBuilder().setPath("f").setName("user.fuzz")));
        call("setgfid", b -> b.setSetGfid(SetGfid.newBuilder().setPath("d").setGfid(dirGfid)));
    }

    private void healOps() {
        Stat file = Stat.newBuilder().setMode(FileType.REGULAR.bits() | 0644).setUid(0).setGid(0)
                .setMtime(Time.newBuilder().setSec(1_600_000_000L)).setAtime(Time.newBuilder().setSec(1)).build();
        call("mark", b -> b.setMark(Mark.newBuilder().setOp(FopRequest.newBuilder().setWrite(Write.newBuilder()
                .setPath("f"))).addBricks(1)));
        call("index-list", b -> b.setIndexList(IndexList.newBuilder().setKind(IndexKind.INDEX_DIRTY).setMax(10)));
        call("locate", b -> b.setLocate(Locate.newBuilder().setGfid(fileGfid).setHint("f")));
        call("fetch", b -> b.setFetch(Fetch.newBuilder().setPath("f").setGfid(fileGfid).setMaxData(4096)));
        call("install", b -> b.setInstall(Install.newBuilder().setPath("d/installed").setGfid(random())
                .setStat(file).setData(ByteString.copyFromUtf8("installed")).setWhole(true)
                .addXattrs(Xattr.newBuilder().setName("user.i").setValue(ByteString.copyFromUtf8("x")))));
        call("set-meta", b -> b.setSetMeta(SetMeta.newBuilder().setPath("f").setGfid(fileGfid).setStat(file)
                .setTimesOnly(true)));
        call("expunge", b -> b.setExpunge(Expunge.newBuilder().setPath("d/moved")));
        call("checksums", b -> b.setChecksums(Checksums.newBuilder().setPath("f").setBlockSize(4096)
                .setBlocks(4)));
        call("settle", b -> b.setSettle(Settle.newBuilder().setPath("f").setGfid(fileGfid)
                .setDirty(io.camelfs.protocol.v1.Counters.newBuilder().setData(1))));
        call("split-brain", b -> b.setSplitBrain(SplitBrainMark.newBuilder().setGfid(fileGfid).setPath("f")
                .setKinds(0)));
        call("heal-stats", b -> b.setHealStats(HealStats.getDefaultInstance()));
    }

    private ByteString random() {
        return bytes(Gfid.LENGTH);
    }

    private ByteString bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return ByteString.copyFrom(b);
    }

    private void call(String name, UnaryOperator<FopRequest.Builder> op) {
        call(name, op, LeaseMode.LEASE_NONE);
    }

    private void call(String name, UnaryOperator<FopRequest.Builder> op, LeaseMode mode, String... keys) {
        Header.Builder h = Header.newBuilder().setSession(session).setSeq(++seq).setSettled(seq - 1).setUid(0)
                .setGid(0).setLeaseMode(mode).addAllLeases(List.of(keys))
                .setTime(Time.newBuilder().setSec(1_700_000_000L + seq).setNsec(1));
        add(name, Method.CALL, op.apply(FopRequest.newBuilder()).setHeader(h).build());
    }

    private void add(String name, Method m, Message msg) {
        seeds.add(new Seed(name, m, msg));
    }
}
