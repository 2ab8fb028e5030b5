package io.camelfs.protocol;

import com.google.protobuf.ByteString;
import io.camelfs.afr.Changelog;
import io.camelfs.afr.Counters;
import io.camelfs.fop.Attr;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.StatFs;
import io.camelfs.fop.Timespec;
import io.camelfs.protocol.v1.Stat;
import io.camelfs.protocol.v1.StatfsInfo;
import io.camelfs.protocol.v1.Time;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.VolumeOptions;
import io.camelfs.volume.VolumeSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Conversions between the brick protocol's messages and camelfs's value types. */
public final class Wire {
    /** The protocol version this build speaks. */
    public static final int PROTOCOL = 1;

    private Wire() {
    }

    public static ByteString gfid(Gfid g) {
        return g == null ? ByteString.EMPTY : ByteString.copyFrom(g.toBytes());
    }

    /** A gfid from the wire, null when empty; another length than 16 is the sender's error (EINVAL), not ours. */
    public static Gfid gfid(ByteString b) {
        if (b.isEmpty()) {
            return null;
        }
        if (b.size() != Gfid.LENGTH) {
            throw new FopException(Errno.EINVAL, "a gfid has " + Gfid.LENGTH + " bytes, not " + b.size());
        }
        return Gfid.of(b.toByteArray());
    }

    public static Time time(Timespec t) {
        return Time.newBuilder().setSec(t.sec()).setNsec(t.nsec()).build();
    }

    /**
     * A time from the wire, refused (EINVAL) unless its nanoseconds are 0..999999999: the brick applies a request's
     * times last (utimensat), so an invalid one used to fail only after the rest of the request had changed the
     * brick. Refused here, at the conversion, it fails before anything is touched.
     */
    public static Timespec time(Time t) {
        if (t.getNsec() < 0 || t.getNsec() > 999_999_999) {
            throw new FopException(Errno.EINVAL, "time " + t.getSec() + "." + Integer.toUnsignedString(t.getNsec())
                    + ": nanoseconds outside 0..999999999");
        }
        return new Timespec(t.getSec(), t.getNsec());
    }

    public static Stat stat(Attr a) {
        return Stat.newBuilder().setGfid(gfid(a.gfid())).setMode(a.mode()).setNlink(a.nlink())
                .setUid(a.uid()).setGid(a.gid()).setRdev(a.rdev()).setSize(a.size()).setBlocks(a.blocks())
                .setBlksize(a.blksize()).setIno(a.ino()).setAtime(time(a.atime())).setMtime(time(a.mtime()))
                .setCtime(time(a.ctime())).build();
    }

    public static Attr attr(Stat s) {
        return new Attr(gfid(s.getGfid()), s.getMode(), s.getNlink(), s.getUid(), s.getGid(), s.getRdev(),
                s.getSize(), s.getBlocks(), s.getBlksize(), s.getIno(), time(s.getAtime()), time(s.getMtime()),
                time(s.getCtime()));
    }

    public static io.camelfs.protocol.v1.Counters counters(Counters c) {
        return io.camelfs.protocol.v1.Counters.newBuilder().setData(c.data()).setMetadata(c.metadata())
                .setEntry(c.entry()).build();
    }

    public static Counters counters(io.camelfs.protocol.v1.Counters c) {
        return new Counters(c.getData(), c.getMetadata(), c.getEntry());
    }

    public static io.camelfs.protocol.v1.Changelog changelog(Changelog c) {
        io.camelfs.protocol.v1.Changelog.Builder b = io.camelfs.protocol.v1.Changelog.newBuilder();
        if (!c.dirty().isZero()) {
            b.setDirty(counters(c.dirty()));
        }
        for (Map.Entry<Integer, Counters> e : c.pending().entrySet()) {
            b.putPending(e.getKey(), counters(e.getValue()));
        }
        return b.build();
    }

    public static Changelog changelog(io.camelfs.protocol.v1.Changelog c) {
        if (!c.hasDirty() && c.getPendingCount() == 0) {
            return Changelog.CLEAN;
        }
        Map<Integer, Counters> p = new HashMap<>();
        c.getPendingMap().forEach((k, v) -> p.put(k, counters(v)));
        return new Changelog(counters(c.getDirty()), p);
    }

    public static io.camelfs.protocol.v1.DirEntry dirEntry(DirEntry e) {
        io.camelfs.protocol.v1.DirEntry.Builder b = io.camelfs.protocol.v1.DirEntry.newBuilder().setName(e.name())
                .setCookie(e.cookie()).setType(e.type() == null ? 0 : e.type().bits());
        if (e.attr() != null) {
            b.setStat(stat(e.attr()));
        }
        if (e.target() != null) {
            b.setTarget(e.target());
        }
        return b.build();
    }

    public static DirEntry dirEntry(io.camelfs.protocol.v1.DirEntry e) {
        return new DirEntry(e.getName(), e.getType() == 0 ? null : FileType.ofMode(e.getType()), e.getCookie(),
                e.hasStat() ? attr(e.getStat()) : null, e.getTarget().isEmpty() ? null : e.getTarget());
    }

    public static StatfsInfo statfs(StatFs s) {
        return StatfsInfo.newBuilder().setBsize(s.bsize()).setFrsize(s.frsize()).setBlocks(s.blocks())
                .setBfree(s.bfree()).setBavail(s.bavail()).setFiles(s.files()).setFfree(s.ffree())
                .setFavail(s.favail()).setFsid(s.fsid()).setFlag(s.flag()).setNamemax(s.namemax()).build();
    }

    public static StatFs statfs(StatfsInfo s) {
        return new StatFs(s.getBsize(), s.getFrsize(), s.getBlocks(), s.getBfree(), s.getBavail(), s.getFiles(),
                s.getFfree(), s.getFavail(), s.getFsid(), s.getFlag(), s.getNamemax());
    }

    public static io.camelfs.protocol.v1.VolumeSpec volume(VolumeSpec v) {
        io.camelfs.protocol.v1.VolumeSpec.Builder b = io.camelfs.protocol.v1.VolumeSpec.newBuilder()
                .setName(v.name()).setReplica(v.replica()).setArbiter(v.arbiter())
                .putAllOptions(v.options().asMap());
        for (BrickAddress a : v.bricks()) {
            b.addBricks(a.toString());
        }
        return b.build();
    }

    public static VolumeSpec volume(io.camelfs.protocol.v1.VolumeSpec v) {
        List<BrickAddress> bricks = new ArrayList<>();
        for (String s : v.getBricksList()) {
            bricks.add(BrickAddress.parse(s));
        }
        return new VolumeSpec(v.getName(), v.getReplica(), bricks, v.getArbiter(),
                VolumeOptions.of(v.getOptionsMap(), v.getReplica()));
    }
}
