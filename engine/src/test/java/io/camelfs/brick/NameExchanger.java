package io.camelfs.brick;

import io.camelfs.posix.Posix;
import java.nio.file.Path;

/**
 * Exchanges two names in a directory (renameat2 RENAME_EXCHANGE) over and over, for a bounded time and count: each
 * name always exists and holds one of the two inodes, which change places as fast as the kernel allows. Every
 * round swaps twice, so the directory ends as it began.
 */
final class NameExchanger extends BoundedRounds {
    private final int dirFd;
    private final String a;
    private final String b;

    NameExchanger(Path dir, String a, String b, long millis, int maxRounds) {
        super(millis, maxRounds);
        this.dirFd = Posix.openat(Posix.AT_FDCWD, dir.toString(), Posix.O_RDONLY | Posix.O_DIRECTORY, 0);
        this.a = a;
        this.b = b;
    }

    @Override
    void round(int r) {
        Posix.renameat2(dirFd, a, dirFd, b, Posix.RENAME_EXCHANGE);
        Posix.renameat2(dirFd, a, dirFd, b, Posix.RENAME_EXCHANGE);
    }

    @Override
    void finish() {
        Posix.close(dirFd);
    }
}
