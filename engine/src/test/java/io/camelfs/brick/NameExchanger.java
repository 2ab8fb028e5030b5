package io.camelfs.brick;

import io.camelfs.posix.Posix;
import java.nio.file.Path;

/**
 * Exchanges two names in a directory (renameat2 RENAME_EXCHANGE) over and over, for a bounded time and count: each
 * name always exists and holds one of the two inodes, which change places as fast as the kernel allows. Every
 * round swaps twice, so the directory ends as it began.
 */
final class NameExchanger implements Runnable {
    private final int dirFd;
    private final String a;
    private final String b;
    private final long deadlineNanos;
    private final int maxRounds;
    private volatile int rounds;
    private volatile Throwable failure;

    NameExchanger(Path dir, String a, String b, long millis, int maxRounds) {
        this.dirFd = Posix.openat(Posix.AT_FDCWD, dir.toString(), Posix.O_RDONLY | Posix.O_DIRECTORY, 0);
        this.a = a;
        this.b = b;
        this.deadlineNanos = System.nanoTime() + millis * 1_000_000;
        this.maxRounds = maxRounds;
    }

    @Override
    public void run() {
        try {
            for (int r = 0; r < maxRounds && System.nanoTime() < deadlineNanos; r++) {
                Posix.renameat2(dirFd, a, dirFd, b, Posix.RENAME_EXCHANGE);
                Posix.renameat2(dirFd, a, dirFd, b, Posix.RENAME_EXCHANGE);
                rounds = r + 1;
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            Posix.close(dirFd);
        }
    }

    int rounds() {
        return rounds;
    }

    Throwable failure() {
        return failure;
    }
}
