package io.camelfs.camel.gluster;

import io.camelfs.fop.Attr;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.FopException;
import io.camelfs.fop.VolumePath;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
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
                && io.camelfs.camel.VolumeLookup.find(e.getCamelContext(), e.getVolume()) == null) {
            throw new io.camelfs.volume.InvalidVolumeException(e.getEndpointUri() + ": volume '" + e.getVolume()
                    + "' is not declared on this node; set servers=HOST:PORT of one of its bricks");
        }
    }

    private FileOps ops() {
        return getEndpoint().getComponent().client(getEndpoint());
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
            default -> throw new IllegalArgumentException("unsupported operation " + op);
        }
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
        List<GlusterFile> out = new ArrayList<>();
        long cookie = 0;
        for (;;) {
            DirPage page = ops().readdir(dir, cookie, 1000, true);
            for (DirEntry e : page.entries()) {
                out.add(GlusterFile.of(VolumePath.child(dir, e.name()), e.attr()));
                cookie = e.cookie();
            }
            if (page.eof() || page.entries().isEmpty()) {
                break;
            }
        }
        in.setBody(out);
    }
}
