package io.camelfs.brick;

import io.camelfs.fop.Timespec;
import io.camelfs.posix.Posix;
import io.camelfs.posix.Stat;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Keeps directory times identical on every brick. An entry operation (create, unlink, rename...) makes the kernel
 * stamp the parent directory with the brick's own clock; instead the directory gets the later of its previous time
 * and the client's operation time -- operations on different names reach the bricks in different orders, and max()
 * ends the same in any order. Heal operations put the previous time back exactly, so repairing a sink never makes
 * its directories look newer than the source's. The read of the previous time and the final stamp bracket the
 * operation under a per-directory lock (striped by inode number).
 */
final class DirTimes {
    private static final int STRIPES = 64;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    DirTimes() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** How the parent's times end up after the operation. */
    enum Mode {
        /** The kernel's stamp stays (a request without a client time). */
        KERNEL,
        /** mtime = max(previous, client time). */
        CLIENT,
        /** atime and mtime as before the operation (heal). */
        PRESERVE
    }

    /** Brackets an entry operation in one directory (or two, for rename). */
    final class Around implements AutoCloseable {
        private final int[] fds;
        private final Stat[] before;
        private final ReentrantLock[] locks;
        private final Timespec time;
        private final Mode mode;

        private Around(int[] fds, Timespec time, Mode mode) {
            this.time = time;
            this.mode = mode;
            this.fds = fds;
            this.before = new Stat[fds.length];
            for (int i = 0; i < fds.length; i++) {
                before[i] = Posix.statx(fds[i], "");
            }
            int[] idx = new int[fds.length];
            for (int i = 0; i < fds.length; i++) {
                idx[i] = (int) Long.remainderUnsigned(before[i].ino(), STRIPES);
            }
            if (idx.length == 2 && idx[0] > idx[1]) {
                int t = idx[0];
                idx[0] = idx[1];
                idx[1] = t;
            }
            locks = new ReentrantLock[idx.length == 2 && idx[0] == idx[1] ? 1 : idx.length];
            for (int i = 0; i < locks.length; i++) {
                locks[i] = stripes[idx[i]];
                locks[i].lock();
            }
            // the time read before taking the lock may already be stale: read it again under the lock
            for (int i = 0; i < fds.length; i++) {
                before[i] = Posix.statx(fds[i], "");
            }
        }

        @Override
        public void close() {
            try {
                for (int i = 0; i < fds.length; i++) {
                    if (i == 1 && before[1].ino() == before[0].ino() && before[1].dev() == before[0].dev()) {
                        break; // rename within one directory: stamped once
                    }
                    stamp(fds[i], before[i]);
                }
            } finally {
                for (int i = locks.length - 1; i >= 0; i--) {
                    locks[i].unlock();
                }
            }
        }

        private void stamp(int fd, Stat was) {
            Stat now = Posix.statxOrNull(fd, "");
            if (now == null || now.mtime().equals(was.mtime())) {
                return; // the operation failed or left the directory alone
            }
            if (mode == Mode.PRESERVE) {
                Posix.utimensat(fd, "", was.atime(), false, was.mtime(), false);
            } else if (mode == Mode.CLIENT) {
                Timespec m = was.mtime().compareTo(time) > 0 ? was.mtime() : time;
                Posix.utimensat(fd, "", null, false, m, false);
            }
        }
    }

    /** Around an entry operation in the directory open at dirFd. */
    private Around around(int dirFd, Timespec time, boolean heal) {
        Mode m = mode(time, heal);
        return new Around(m == Mode.KERNEL ? new int[0] : new int[] {dirFd}, time, m);
    }

    /** Around a rename between two directories (the same one twice is fine). */
    private Around around(int fromDir, int toDir, Timespec time, boolean heal) {
        Mode m = mode(time, heal);
        return new Around(m == Mode.KERNEL ? new int[0] : new int[] {fromDir, toDir}, time, m);
    }

    /**
     * Runs one syscall that changes the directory open at dirFd (a create, an unlink...) and stamps the directory
     * afterwards. Only that call runs under the directory's lock: writing a new file's data, xattrs or fsync must
     * not serialise the creates of one directory.
     */
    <T> T change(int dirFd, Timespec time, boolean heal, Supplier<T> syscall) {
        try (Around a = around(dirFd, time, heal)) {
            return syscall.get();
        }
    }

    /** The same for a rename between two directories. */
    <T> T change(int fromDir, int toDir, Timespec time, boolean heal, Supplier<T> syscall) {
        try (Around a = around(fromDir, toDir, time, heal)) {
            return syscall.get();
        }
    }

    private static Mode mode(Timespec time, boolean heal) {
        return heal ? Mode.PRESERVE : time != null ? Mode.CLIENT : Mode.KERNEL;
    }
}
