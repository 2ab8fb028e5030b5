package io.camelfs.brick;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.posix.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;

/**
 * A brick's directory: a plain directory whose files stay readable with ordinary tools, plus the hidden
 * {@code .camelfs} folder with the brick's identity, lock and heal index. Opening it checks everything that would
 * make the brick unsafe to serve and refuses with a one-line reason.
 */
public final class BrickRoot implements AutoCloseable {
    /** Hidden metadata folder at the brick root, never visible to clients (GlusterFS's .glusterfs). */
    public static final String META = ".camelfs";

    private final Path directory;
    private final String volume;
    private final String brickId;
    private final int rootFd;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final PendingIndex index;

    private BrickRoot(Path directory, String volume, String brickId, int rootFd, FileChannel lockChannel,
            FileLock lock, PendingIndex index) {
        this.directory = directory;
        this.volume = volume;
        this.brickId = brickId;
        this.rootFd = rootFd;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.index = index;
    }

    /**
     * Opens (and on first use initialises) the brick directory for the volume.
     *
     * @param create create the directory (and its parents) when it does not exist
     */
    public static BrickRoot open(Path dir, String volume, boolean create) {
        Path directory = dir.toAbsolutePath().normalize();
        if (!Files.exists(directory)) {
            if (!create) {
                throw new BrickStartException("brick directory " + dir + " does not exist (create it, or set"
                        + " createDirectory=true on the brick endpoint)");
            }
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new BrickStartException("cannot create brick directory " + dir + ": " + reason(e));
            }
        }
        if (!Files.isDirectory(directory)) {
            throw new BrickStartException("brick directory " + dir + " is not a directory");
        }
        int fd;
        try {
            fd = Posix.openat(Posix.AT_FDCWD, directory.toString(), Posix.O_RDONLY | Posix.O_DIRECTORY, 0);
        } catch (FopException e) {
            throw new BrickStartException("cannot open brick directory " + dir + ": " + Errno.describe(e.errno()));
        }
        try {
            probeXattrs(fd, dir);
            String owner = volumeOf(fd);
            if (owner != null && !owner.equals(volume)) {
                throw new BrickStartException("brick directory " + dir + " already belongs to volume '" + owner
                        + "', not '" + volume + "'");
            }
            Path meta = directory.resolve(META);
            Files.createDirectories(meta);
            FileChannel ch = FileChannel.open(meta.resolve("brick.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                throw new BrickStartException("brick directory " + dir + " is already served by another brick"
                        + " process");
            }
            String brickId = identity(meta, volume);
            if (owner == null) {
                Posix.fsetxattr(fd, XattrNames.VOLUME, volume.getBytes(StandardCharsets.UTF_8), 0);
            }
            byte[] rootGfid = Posix.fgetxattr(fd, XattrNames.GFID);
            if (rootGfid == null) {
                Posix.fsetxattr(fd, XattrNames.GFID, Gfid.ROOT.toBytes(), 0);
            } else if (!Gfid.ROOT.equals(Gfid.ofNullable(rootGfid))) {
                throw new BrickStartException("brick directory " + dir + " is a directory inside a volume (its gfid"
                        + " is " + Gfid.ofNullable(rootGfid) + "), not a brick root");
            }
            return new BrickRoot(directory, volume, brickId, fd, ch, lock, new PendingIndex(meta));
        } catch (BrickStartException e) {
            Posix.close(fd);
            throw e;
        } catch (IOException | FopException e) {
            Posix.close(fd);
            throw new BrickStartException("cannot prepare brick directory " + dir + ": " + reason(e));
        }
    }

    private static void probeXattrs(int fd, Path dir) {
        try {
            Posix.fsetxattr(fd, XattrNames.PROBE, new byte[] {1}, 0);
            Posix.fremovexattr(fd, XattrNames.PROBE);
        } catch (FopException e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                throw new BrickStartException("brick directory " + dir + " is on a filesystem without user extended"
                        + " attributes (needed for gfids and the AFR changelog); use ext4, xfs or btrfs");
            }
            if (e.errno() == Errno.EROFS) {
                throw new BrickStartException("brick directory " + dir + " is on a read-only filesystem");
            }
            if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM) {
                throw new BrickStartException("brick directory " + dir + " is not writable by this process");
            }
            throw new BrickStartException("brick directory " + dir + ": " + e.getMessage());
        }
    }

    private static String volumeOf(int fd) {
        byte[] v = Posix.fgetxattr(fd, XattrNames.VOLUME);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    private static String identity(Path meta, String volume) throws IOException {
        Path info = meta.resolve("brick.properties");
        Properties p = new Properties();
        if (Files.exists(info)) {
            try (InputStream in = Files.newInputStream(info)) {
                p.load(in);
            }
            String id = p.getProperty("brick-id");
            if (id != null) {
                return id;
            }
        }
        p.setProperty("volume", volume);
        p.setProperty("brick-id", UUID.randomUUID().toString());
        p.setProperty("created", Instant.now().toString());
        try (OutputStream out = Files.newOutputStream(info)) {
            p.store(out, "camelfs brick identity: do not edit");
        }
        return p.getProperty("brick-id");
    }

    private static String reason(Exception e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage();
    }

    public Path directory() {
        return directory;
    }

    public String volume() {
        return volume;
    }

    public String brickId() {
        return brickId;
    }

    /** Descriptor of the brick root, open for the brick's lifetime; every path is resolved beneath it. */
    public int fd() {
        return rootFd;
    }

    public PendingIndex index() {
        return index;
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // closing a lock file cannot lose data
        }
        Posix.close(rootFd);
    }
}
