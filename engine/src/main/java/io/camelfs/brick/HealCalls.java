package io.camelfs.brick;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.camelfs.afr.Counters;
import io.camelfs.fop.Attr;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.posix.Posix;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.IndexEntry;
import io.camelfs.protocol.v1.IndexKind;
import io.camelfs.protocol.v1.Install;
import io.camelfs.protocol.v1.Stat;
import io.camelfs.protocol.v1.Xattr;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The brick end of self-heal's operations (see the self-heal section of brick.proto). */
final class HealCalls {
    private HealCalls() {
    }

    static FopReply.Builder dispatch(FopRequest req, PosixStore store, HealStatistics statistics, String brick) {
        switch (req.getOpCase()) {
            case INDEX_LIST: {
                var c = req.getIndexList();
                PendingIndex.Kind kind = kind(c.getKind());
                PendingIndex index = store.root().index();
                FopReply.Builder b = FopReply.newBuilder().setTotal(index.count(kind));
                for (PendingIndex.Entry e : index.list(kind, c.getMax(), Wire.gfid(c.getAfter()))) {
                    b.addIndex(IndexEntry.newBuilder().setGfid(Wire.gfid(e.gfid())).setPath(e.path())
                            .setKinds(e.kinds()));
                }
                return b;
            }
            case LOCATE: {
                var c = req.getLocate();
                Gfid g = requireGfid(c.getGfid());
                if (c.getIndexed() && !store.root().index().contains(PendingIndex.Kind.PENDING, g)
                        && !store.root().index().contains(PendingIndex.Kind.DIRTY, g)
                        && !store.root().index().contains(PendingIndex.Kind.SPLIT_BRAIN, g)) {
                    return FopReply.newBuilder().setErrno(Errno.EALREADY).setError("healed meanwhile");
                }
                String path = store.locate(g, c.getHint());
                return FopReply.newBuilder().setText(path).setStat(Wire.stat(store.stat(path)));
            }
            case FETCH: {
                var c = req.getFetch();
                PosixStore.Fetched f = store.fetch(c.getPath(), Wire.gfid(c.getGfid()), c.getMaxData());
                FopReply.Builder b = FopReply.newBuilder().setStat(Wire.stat(f.attr()))
                        .setAfr(Wire.changelog(f.changelog()));
                if (f.image().target() != null) {
                    b.setText(f.image().target());
                }
                if (f.image().xattrs() != null) {
                    f.image().xattrs().forEach((n, v) -> b.addXattrs(Xattr.newBuilder().setName(n)
                            .setValue(ByteString.copyFrom(v))));
                }
                if (f.data() != null) {
                    b.setData(UnsafeByteOperations.unsafeWrap(f.data())).setEof(true);
                }
                return b;
            }
            case INSTALL: {
                var c = req.getInstall();
                Attr a = store.install(c.getPath(), requireGfidUnlessSpecial(c), image(c.getStat(), c.getTarget(),
                        c.getXattrsList(), true), c.getLinkTo().isEmpty() ? null : c.getLinkTo(),
                        c.getWhole() || !c.getData().isEmpty() ? c.getData().toByteArray() : null, c.getSync(),
                        c.getExisting() ? PosixStore.InstallMode.EXISTING : c.getFresh()
                                ? PosixStore.InstallMode.FRESH : PosixStore.InstallMode.ANY);
                return FopReply.newBuilder().setStat(Wire.stat(a));
            }
            case SET_META: {
                var c = req.getSetMeta();
                Attr a = store.setMeta(c.getPath(), Wire.gfid(c.getGfid()), image(c.getStat(), "",
                        c.getXattrsList(), c.getXattrsValid()), c.getTimesOnly());
                return FopReply.newBuilder().setStat(Wire.stat(a));
            }
            case EXPUNGE:
                store.expunge(req.getExpunge().getPath(), Wire.gfid(req.getExpunge().getGfid()));
                return FopReply.newBuilder();
            case CHECKSUMS: {
                var c = req.getChecksums();
                // blocks is a uint32: above 2^31 it is a negative int, which min() passed on as a list capacity
                List<byte[]> sums = store.checksums(c.getPath(), Wire.gfid(c.getGfid()), c.getBlockSize(),
                        c.getOffset(), (int) Math.min(Integer.toUnsignedLong(c.getBlocks()), 65_536));
                FopReply.Builder b = FopReply.newBuilder();
                sums.forEach(x -> b.addChecksums(UnsafeByteOperations.unsafeWrap(x)));
                return b;
            }
            case SETTLE: {
                var c = req.getSettle();
                if (c.getForget()) {
                    store.forgetIndex(requireGfid(c.getGfid()));
                    return FopReply.newBuilder();
                }
                store.settle(c.getPath(), Wire.gfid(c.getGfid()), Wire.counters(c.getDirty()),
                        counters(c.getPendingMap()), counters(c.getBlameMap()), c.getSync());
                return FopReply.newBuilder();
            }
            case SYNC_FS:
                Posix.syncfs(store.root().fd());
                return FopReply.newBuilder();
            case SPLIT_BRAIN: {
                var c = req.getSplitBrain();
                store.markSplitBrain(requireGfid(c.getGfid()), c.getPath(), c.getKinds());
                return FopReply.newBuilder();
            }
            case HEAL_STATS: {
                var c = req.getHealStats();
                if (c.hasReport()) {
                    statistics.add(c.getReport());
                }
                return FopReply.newBuilder().addAllCrawls(statistics.all());
            }
            default:
                throw new FopException(Errno.ENOSYS, "operation " + req.getOpCase() + " not supported by brick "
                        + brick);
        }
    }

    private static PendingIndex.Kind kind(IndexKind k) {
        switch (k) {
            case INDEX_PENDING:
                return PendingIndex.Kind.PENDING;
            case INDEX_DIRTY:
                return PendingIndex.Kind.DIRTY;
            case INDEX_SPLIT_BRAIN:
                return PendingIndex.Kind.SPLIT_BRAIN;
            default:
                throw new FopException(Errno.EINVAL, "unknown heal index " + k);
        }
    }

    private static Gfid requireGfid(ByteString b) {
        Gfid g = Wire.gfid(b);
        if (g == null) {
            throw new FopException(Errno.EINVAL, "a gfid is required");
        }
        return g;
    }

    /** Regular files and directories are installed with their gfid; the other types have none. */
    private static Gfid requireGfidUnlessSpecial(Install c) {
        int type = c.getStat().getMode() & FileType.S_IFMT;
        boolean carries = type == FileType.REGULAR.bits()
                || type == FileType.DIRECTORY.bits();
        return carries ? requireGfid(c.getGfid()) : null;
    }

    private static InodeImage image(Stat s, String target, List<Xattr> xattrs,
            boolean xattrsValid) {
        Map<String, byte[]> x = null;
        if (xattrsValid) {
            x = new LinkedHashMap<>();
            for (Xattr a : xattrs) {
                x.put(userXattr(a.getName()), a.getValue().toByteArray());
            }
        }
        return new InodeImage(s.getMode(), s.getUid(), s.getGid(), s.getRdev(), Wire.time(s.getAtime()),
                Wire.time(s.getMtime()), target, x);
    }

    /**
     * An image carries user xattrs only, as a fetch reports them, so any other name is refused before the inode is
     * touched: the kernel refused other namespaces only after the install had written the data, and camelfs's own
     * names (gfid, changelog) would have been overwritten with whatever the request said.
     */
    private static String userXattr(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (!name.startsWith("user.") || XattrNames.isInternal(name) || bytes <= "user.".length() || bytes > 255
                || name.indexOf('\0') >= 0) {
            throw new FopException(Errno.EINVAL, "xattr '" + name + "' is not a user xattr a heal can copy");
        }
        return name;
    }

    private static Map<Integer, Counters> counters(Map<Integer, io.camelfs.protocol.v1.Counters> m) {
        Map<Integer, Counters> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, Wire.counters(v)));
        return out;
    }
}
