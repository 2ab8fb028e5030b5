package io.camelfs.camel.gluster;

import io.camelfs.camel.VolumeLookup;
import io.camelfs.fop.Attr;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.FopException;
import io.camelfs.fop.SetAttr;
import io.camelfs.fop.Timespec;
import io.camelfs.fop.VolumePath;
import io.camelfs.heal.HealInfo;
import io.camelfs.heal.HealProgress;
import io.camelfs.heal.HealReport;
import io.camelfs.heal.Healer;
import io.camelfs.volume.InvalidVolumeException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;

/** Performs the endpoint's operation on the volume; failures are {@link FopException}s with the errno. */
public class GlusterProducer extends DefaultProducer {
    private static final int CHUNK = 1 << 20;

    public GlusterProducer(GlusterEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public GlusterEndpoint getEndpoint() {
        return (GlusterEndpoint) super.getEndpoint();
    }

    /** A volume this node neither declares nor knows servers for is a configuration error: fail at start-up. */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        GlusterEndpoint e = getEndpoint();
        if ((e.getServers() == null || e.getServers().isBlank())
                && VolumeLookup.find(e.getCamelContext(), e.getVolume()) == null) {
            throw new InvalidVolumeException(e.getEndpointUri() + ": volume '" + e.getVolume()
                    + "' is not declared on this node; set servers=HOST:PORT of one of its bricks");
        }
        if (e.getOperation() == GlusterOperation.heal && e.isSelfHealDaemon()) {
            e.getComponent().volume(e).startDaemon();
        }
    }

    private FileOps ops() {
        return getEndpoint().getComponent().volume(getEndpoint()).ops;
    }

    private String path(Message in) {
        String p = in.getHeader(GlusterConstants.FILE_NAME, String.class);
        if (p == null) {
            p = getEndpoint().getPath();
        }
        if (p == null) {
            throw new IllegalArgumentException(getEndpoint().getEndpointUri() + ": no path: set the "
                    + GlusterConstants.FILE_NAME + " header or the path option");
        }
        return VolumePath.normalize(p);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message in = exchange.getIn();
        GlusterOperation op = in.getHeader(GlusterConstants.OPERATION, getEndpoint().getOperation(),
                GlusterOperation.class);
        switch (op) {
            case write -> write(in);
            case read -> read(in);
            case delete -> delete(in);
            case list -> list(in);
            case mkdir -> mkdirs(path(in), directoryMode(in));
            case stat -> {
                String p = path(in);
                Attr a = ops().lookup(p);
                setHeaders(in, a);
                in.setBody(GlusterFile.of(p, a));
            }
            case setattr -> setattr(in);
            case append -> append(in);
            case rename -> rename(in);
            case truncate -> {
                String p = path(in);
                Long size = in.getHeader(GlusterConstants.SIZE, Long.class);
                if (size == null || size < 0) {
                    throw new IllegalArgumentException(getEndpoint().getEndpointUri() + ": truncate needs the "
                            + GlusterConstants.SIZE + " header (a length in bytes, 0 or more)");
                }
                ops().truncate(p, size);
                setHeaders(in, ops().lookup(p));
            }
            case heal -> heal(in);
            case healInfo -> {
                HealInfo info = getEndpoint().getComponent().volume(getEndpoint()).healer().info();
                in.setHeader(GlusterConstants.HEAL_PENDING, info.total());
                in.setHeader(GlusterConstants.SPLIT_BRAIN, info.splitBrain());
                in.setBody(info);
            }
            default -> throw new IllegalArgumentException("unsupported operation " + op);
        }
    }

    private void heal(Message in) {
        Healer h = getEndpoint().getComponent().volume(getEndpoint()).healer();
        HealReport r = getEndpoint().getMode() == GlusterHealMode.full ? h.full(HealProgress.NONE)
                : h.index(HealProgress.NONE);
        in.setHeader(GlusterConstants.HEALED, r.healed());
        in.setHeader(GlusterConstants.HEAL_FAILED, r.failed());
        in.setHeader(GlusterConstants.SPLIT_BRAIN, r.splitBrain());
        in.setBody(r);
    }

    private int fileMode(Message in) {
        String m = in.getHeader(GlusterConstants.MODE, String.class);
        return GlusterEndpoint.octal(GlusterConstants.MODE, m != null ? m : getEndpoint().getFileMode());
    }

    private int directoryMode(Message in) {
        String m = in.getHeader(GlusterConstants.MODE, String.class);
        return GlusterEndpoint.octal(GlusterConstants.MODE, m != null ? m : getEndpoint().getDirectoryMode());
    }

    private static void setHeaders(Message in, Attr a) {
        if (a.gfid() != null) {
            in.setHeader(GlusterConstants.GFID, a.gfid().toString());
        }
        in.setHeader(GlusterConstants.FILE_LENGTH, a.size());
        in.setHeader(GlusterConstants.FILE_LAST_MODIFIED, a.mtime().toInstant().toEpochMilli());
    }

    private void write(Message in) throws Exception {
        String p = path(in);
        byte[] data = in.getMandatoryBody(byte[].class);
        int mode = fileMode(in);
        Attr a;
        try {
            a = ops().put(p, mode, ByteBuffer.wrap(data));
        } catch (FopException e) {
            if (e.errno() != Errno.ENOENT || !getEndpoint().isAutoCreate() || VolumePath.parent(p).isEmpty()) {
                throw e;
            }
            mkdirs(VolumePath.parent(p), GlusterEndpoint.octal("directoryMode", getEndpoint().getDirectoryMode()));
            a = ops().put(p, mode, ByteBuffer.wrap(data));
        }
        setHeaders(in, a);
    }

    private void append(Message in) throws Exception {
        String p = path(in);
        byte[] data = in.getMandatoryBody(byte[].class);
        Attr a;
        try {
            a = ops().lookup(p);
        } catch (FopException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
            write(in); // nothing to append to: the body is the whole file
            return;
        }
        if (a.isDirectory()) {
            throw FopException.of(Errno.EISDIR, VolumePath.display(p));
        }
        ops().write(p, a.size(), ByteBuffer.wrap(data));
        setHeaders(in, ops().lookup(p));
    }

    private void rename(Message in) {
        String from = path(in);
        String to = in.getHeader(GlusterConstants.RENAME_TO, String.class);
        if (to == null || to.isBlank()) {
            throw new IllegalArgumentException(getEndpoint().getEndpointUri() + ": rename needs the "
                    + GlusterConstants.RENAME_TO + " header (the new path)");
        }
        String target = VolumePath.normalize(to);
        try {
            ops().rename(from, target, 0);
        } catch (FopException e) {
            // ENOENT while the source exists: the target's directory is missing; create it, as write does
            if (e.errno() != Errno.ENOENT || !getEndpoint().isAutoCreate() || VolumePath.parent(target).isEmpty()
                    || !exists(from)) {
                throw e;
            }
            mkdirs(VolumePath.parent(target), GlusterEndpoint.octal("directoryMode", getEndpoint()
                    .getDirectoryMode()));
            ops().rename(from, target, 0);
        }
        in.setHeader(Exchange.FILE_NAME, target);
    }

    private boolean exists(String p) {
        try {
            ops().lookup(p);
            return true;
        } catch (FopException e) {
            return false;
        }
    }

    /** mkdir -p: every missing component, tolerating ones that exist (or that another writer just made). */
    private void mkdirs(String dir, int mode) {
        if (dir.isEmpty()) {
            return;
        }
        try {
            Attr a = ops().lookup(dir);
            if (!a.isDirectory()) {
                throw FopException.of(Errno.ENOTDIR, VolumePath.display(dir));
            }
            return;
        } catch (FopException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        mkdirs(VolumePath.parent(dir), mode);
        try {
            ops().mkdir(dir, mode);
        } catch (FopException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    private void read(Message in) {
        String p = path(in);
        Attr a = ops().lookup(p);
        if (a.isDirectory()) {
            throw FopException.of(Errno.EISDIR, VolumePath.display(p));
        }
        if (getEndpoint().isStreaming()) {
            setHeaders(in, a);
            in.setBody(new GlusterInputStream(ops(), p, CHUNK));
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(a.size(), Integer.MAX_VALUE - 8));
        long off = 0;
        for (;;) {
            ByteBuffer b = ops().read(p, off, CHUNK);
            int n = b.remaining();
            if (n == 0) {
                break;
            }
            byte[] chunk = new byte[n];
            b.get(chunk);
            out.write(chunk, 0, n);
            off += n;
            if (n < CHUNK) {
                break;
            }
        }
        setHeaders(in, a);
        in.setHeader(GlusterConstants.FILE_LENGTH, off);
        in.setBody(out.toByteArray());
    }

    private void delete(Message in) {
        String p = path(in);
        try {
            ops().unlink(p);
        } catch (FopException e) {
            if (e.errno() != Errno.EISDIR) {
                throw e;
            }
            ops().rmdir(p);
        }
    }

    private void list(Message in) {
        String dir = path(in);
        PathMatcher match = getEndpoint().getInclude() == null ? null
                : FileSystems.getDefault().getPathMatcher("glob:" + getEndpoint().getInclude());
        GlusterListing listing = new GlusterListing(ops(), dir, match);
        if (getEndpoint().isStreaming()) {
            in.setBody(listing);
            return;
        }
        List<GlusterFile> out = new ArrayList<>();
        listing.forEachRemaining(out::add);
        in.setBody(out);
    }

    private void setattr(Message in) {
        String p = path(in);
        String mode = in.getHeader(GlusterConstants.MODE, String.class);
        String owner = in.getHeader(GlusterConstants.OWNER, String.class);
        Long modified = in.getHeader(GlusterConstants.FILE_LAST_MODIFIED, Long.class);
        Integer uid = null;
        Integer gid = null;
        if (owner != null) {
            String[] f = owner.split(":", -1);
            try {
                uid = f[0].isEmpty() ? null : Integer.valueOf(f[0]);
                gid = f.length < 2 || f[1].isEmpty() ? null : Integer.valueOf(f[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(GlusterConstants.OWNER + ": '" + owner + "' is not uid:gid");
            }
        }
        if (mode == null && uid == null && gid == null && modified == null) {
            throw new IllegalArgumentException("setattr " + VolumePath.display(p) + ": set at least one of "
                    + GlusterConstants.MODE + ", " + GlusterConstants.OWNER + " or "
                    + GlusterConstants.FILE_LAST_MODIFIED);
        }
        Timespec m = modified == null ? null : new Timespec(Math.floorDiv(modified,
                1000L), (int) Math.floorMod(modified, 1000L) * 1_000_000);
        Attr a = ops().setattr(p, new SetAttr(mode == null ? null : GlusterEndpoint.octal(
                GlusterConstants.MODE, mode), uid, gid, null, null, m, false, false));
        setHeaders(in, a);
        in.setBody(GlusterFile.of(p, a));
    }
}
