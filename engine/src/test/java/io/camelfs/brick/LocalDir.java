package io.camelfs.brick;

import io.camelfs.fop.FopException;
import io.camelfs.posix.Posix;
import java.nio.file.Path;

/**
 * A plain local directory the tests ask the same things they ask a brick, with the same path strings resolved
 * relative to it by the same system calls: what errno a local filesystem gives is what the brick must give.
 */
final class LocalDir implements AutoCloseable {
    private final int fd;

    LocalDir(Path dir) {
        fd = Posix.openat(Posix.AT_FDCWD, dir.toString(), Posix.O_RDONLY | Posix.O_DIRECTORY, 0);
    }

    /** 0 or the errno, as a brick's reply carries it. */
    int create(String path) {
        int f = Posix.tryOpenat(fd, path, Posix.O_CREAT | Posix.O_EXCL | Posix.O_RDWR | Posix.O_NOFOLLOW, 0644);
        Posix.close(f);
        return f < 0 ? -f : 0;
    }

    int mkdir(String path) {
        return errno(() -> Posix.mkdirat(fd, path, 0755));
    }

    int symlink(String path, String target) {
        return errno(() -> Posix.symlinkat(target, fd, path));
    }

    int link(String existing, String path) {
        return errno(() -> Posix.linkat(fd, existing, fd, path));
    }

    int rename(String from, String to) {
        return errno(() -> Posix.renameat2(fd, from, fd, to, 0));
    }

    int stat(String path) {
        return errno(() -> Posix.statx(fd, path));
    }

    private static int errno(Runnable call) {
        try {
            call.run();
            return 0;
        } catch (FopException e) {
            return e.errno();
        }
    }

    @Override
    public void close() {
        Posix.close(fd);
    }
}
