package io.camelfs.stats;

import io.camelfs.fop.Attr;
import io.camelfs.fop.Caller;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.LockRequest;
import io.camelfs.fop.LockResult;
import io.camelfs.fop.SetAttr;
import io.camelfs.fop.StatFs;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The metrics layer: counts and times every FOP that passes through it, and the file bytes read and written, then
 * passes the call on unchanged. A FOP that throws counts as failed.
 */
public final class MeteredOps implements FileOps {
    private final FileOps next;
    private final Meter meter;

    /** What a metrics layer has seen; shared by every caller's view of the same volume. */
    public static final class Meter {
        private final OpStats ops = new OpStats();
        private final LongAdder bytesRead = new LongAdder();
        private final LongAdder bytesWritten = new LongAdder();

        public OpStats ops() {
            return ops;
        }

        public long bytesRead() {
            return bytesRead.sum();
        }

        public long bytesWritten() {
            return bytesWritten.sum();
        }
    }

    public MeteredOps(FileOps next) {
        this(next, new Meter());
    }

    private MeteredOps(FileOps next, Meter meter) {
        this.next = next;
        this.meter = meter;
    }

    public Meter meter() {
        return meter;
    }

    private <T> T timed(String op, Supplier<T> call) {
        if (!OpStats.ENABLED) {
            return call.get();
        }
        long start = System.nanoTime();
        boolean ok = false;
        try {
            T result = call.get();
            ok = true;
            return result;
        } finally {
            meter.ops.record(op, System.nanoTime() - start, !ok);
        }
    }

    private void timed(String op, Runnable call) {
        timed(op, () -> {
            call.run();
            return null;
        });
    }

    @Override
    public String describe() {
        return "metrics -> " + next.describe();
    }

    @Override
    public FileOps as(Caller caller) {
        return new MeteredOps(next.as(caller), meter);
    }

    @Override
    public Attr lookup(String path) {
        return timed("lookup", () -> next.lookup(path));
    }

    @Override
    public Attr create(String path, int mode, boolean exclusive) {
        return timed("create", () -> next.create(path, mode, exclusive));
    }

    @Override
    public Attr create(String path, Gfid gfid, int mode, ByteBuffer data) {
        int n = data.remaining();
        Attr a = timed("create", () -> next.create(path, gfid, mode, data));
        meter.bytesWritten.add(n);
        return a;
    }

    @Override
    public Attr put(String path, int mode, ByteBuffer data) {
        int n = data.remaining();
        Attr a = timed("put", () -> next.put(path, mode, data));
        meter.bytesWritten.add(n);
        return a;
    }

    @Override
    public Attr mkdir(String path, int mode) {
        return timed("mkdir", () -> next.mkdir(path, mode));
    }

    @Override
    public Attr mknod(String path, int mode, long rdev) {
        return timed("mknod", () -> next.mknod(path, mode, rdev));
    }

    @Override
    public Attr symlink(String target, String path) {
        return timed("symlink", () -> next.symlink(target, path));
    }

    @Override
    public String readlink(String path) {
        return timed("readlink", () -> next.readlink(path));
    }

    @Override
    public Attr link(String existing, String path) {
        return timed("link", () -> next.link(existing, path));
    }

    @Override
    public void unlink(String path) {
        timed("unlink", () -> next.unlink(path));
    }

    @Override
    public void rmdir(String path) {
        timed("rmdir", () -> next.rmdir(path));
    }

    @Override
    public void rename(String from, String to, int flags) {
        timed("rename", () -> next.rename(from, to, flags));
    }

    @Override
    public ByteBuffer read(String path, Gfid file, long offset, int length) {
        ByteBuffer b = timed("read", () -> next.read(path, file, offset, length));
        meter.bytesRead.add(b.remaining());
        return b;
    }

    @Override
    public Attr write(String path, Gfid file, long offset, ByteBuffer data) {
        int n = data.remaining();
        Attr a = timed("write", () -> next.write(path, file, offset, data));
        meter.bytesWritten.add(n);
        return a;
    }

    @Override
    public void truncate(String path, Gfid file, long size) {
        timed("truncate", () -> next.truncate(path, file, size));
    }

    @Override
    public void fsync(String path, boolean datasync) {
        timed("fsync", () -> next.fsync(path, datasync));
    }

    @Override
    public Attr setattr(String path, SetAttr changes) {
        return timed("setattr", () -> next.setattr(path, changes));
    }

    @Override
    public DirPage readdir(String path, long cookie, int maxEntries, boolean withAttrs) {
        return timed("readdir", () -> next.readdir(path, cookie, maxEntries, withAttrs));
    }

    @Override
    public byte[] getxattr(String path, String name) {
        return timed("getxattr", () -> next.getxattr(path, name));
    }

    @Override
    public void setxattr(String path, String name, byte[] value, int flags) {
        timed("setxattr", () -> next.setxattr(path, name, value, flags));
    }

    @Override
    public List<String> listxattr(String path) {
        return timed("listxattr", () -> next.listxattr(path));
    }

    @Override
    public void removexattr(String path, String name) {
        timed("removexattr", () -> next.removexattr(path, name));
    }

    @Override
    public StatFs statfs(String path) {
        return timed("statfs", () -> next.statfs(path));
    }

    @Override
    public void fallocate(String path, Gfid file, int mode, long offset, long length) {
        timed("fallocate", () -> next.fallocate(path, file, mode, offset, length));
    }

    @Override
    public LockResult lock(String path, LockRequest request) {
        return timed("lk", () -> next.lock(path, request));
    }

    @Override
    public void close() {
        next.close();
    }
}
