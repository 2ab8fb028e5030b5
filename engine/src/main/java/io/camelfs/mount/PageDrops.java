package io.camelfs.mount;

import io.camelfs.posix.Posix;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops this kernel's cached pages of a file a process has just locked, so that it reads what the lock's previous
 * holder wrote (on another mount, perhaps), not pages cached before: what NFS does on every lock, and what libfuse 2
 * cannot ask the kernel for by itself.
 *
 * <p>The drop goes through the locking process's own descriptor, duplicated with pidfd_getfd, and never through a
 * new open of the file on this mount: the lock callback runs while libfuse holds its lock on the file's path, and an
 * unlink or rename of that file waiting for it makes every later request on the path wait too -- a new open from the
 * callback then waited for the callback itself, and the mount hung for good (a process locking a file while another
 * unlinked it was enough). The duplicate is closed on another thread, since a close sends the mount a flush, which
 * waits for the same path lock. Where the descriptor cannot be had (no ptrace access to the process, a kernel before
 * 5.6, a process that sees the file under another path), the file is opened by path on that thread instead, after
 * the lock call returned: the pages then go a moment later than the lock is granted.
 */
final class PageDrops implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PageDrops.class);
    private final Path mountpoint;
    private final ExecutorService after;
    private final AtomicBoolean warned = new AtomicBoolean();

    /** @param mountpoint before it is mounted: its real path is what /proc shows of the files under it */
    PageDrops(Path mountpoint) {
        this.mountpoint = realPath(mountpoint);
        this.after = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "page-drops " + mountpoint);
            t.setDaemon(true);
            return t;
        });
    }

    /** Drops the cached pages of volume path v, which thread tid (as the kernel names it to this mount) locked. */
    void afterLock(int tid, String v) {
        Path file = mountpoint.resolve(v);
        int pid = tid > 0 ? threadGroup(tid) : -1;
        int fd = pid > 0 ? descriptorOf(pid, file.toString()) : -1;
        int dup = fd >= 0 ? Posix.duplicateFrom(pid, fd) : -1;
        if (dup >= 0) {
            Posix.dropCachedPages(dup);
            after.execute(() -> Posix.close(dup));
            return;
        }
        if (warned.compareAndSet(false, true)) {
            LOG.warn("locks: cannot use process {}'s descriptor of {} ({}); its cached pages are dropped through a new"
                    + " open, just after the lock is granted (said once)", tid, file,
                    fd < 0 ? "not found under /proc/" + pid + "/fd" : "pidfd_getfd: errno " + -dup);
        }
        after.execute(() -> Posix.dropCachedPages(file.toString()));
    }

    /** The process of thread tid (pidfd_open takes a process), or -1. */
    static int threadGroup(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(tid), "status"))) {
                if (line.startsWith("Tgid:")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // the thread is gone
        }
        return -1;
    }

    /**
     * One of pid's descriptors of file, or -1: by the links under /proc/PID/fd, which the kernel answers without
     * asking the file system (a stat of the file itself could wait for the mount's path lock).
     */
    static int descriptorOf(int pid, String file) {
        String deleted = file + " (deleted)";
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.equals(file) || target.equals(deleted)) {
                    return Integer.parseInt(fd.getFileName().toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone, or not ours to look at
        }
        return -1;
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    @Override
    public void close() {
        after.shutdown();
    }
}
