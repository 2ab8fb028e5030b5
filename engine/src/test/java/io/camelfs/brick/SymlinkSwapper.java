package io.camelfs.brick;

import io.camelfs.posix.Posix;
import java.nio.file.Path;

/**
 * Swaps directories inside a brick with symlinks that lead out of it, and back, for a bounded time and count: the
 * attack on a server that checks a path and then uses it. Every round ends with the tree as it began. All of it
 * is done relative to descriptors opened beforehand, so the swapper itself never follows one of the symlinks.
 */
final class SymlinkSwapper extends BoundedRounds {
    private final int brickFd;
    private final int dirFd;
    private final String outside;

    /**
     * @param brick the brick directory, holding "d" (a directory) and the symlinks "d-abs" and "d-rel" out of it
     * @param outside where the non-atomic swap's fresh symlink points
     */
    SymlinkSwapper(Path brick, Path outside, long millis, int maxRounds) {
        super(millis, maxRounds);
        this.brickFd = Posix.openat(Posix.AT_FDCWD, brick.toString(), Posix.O_RDONLY | Posix.O_DIRECTORY, 0);
        // "d" itself, opened now: its "inner" is swapped with "inner-link" wherever "d" is renamed to meanwhile
        this.dirFd = Posix.openat(brickFd, "d", Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_NOFOLLOW, 0);
        this.outside = outside.toString();
    }

    @Override
    void round(int r) {
        switch (r % 4) {
            case 0 -> exchangeTwice(brickFd, "d", "d-abs");
            case 1 -> exchangeTwice(brickFd, "d", "d-rel");
            case 2 -> exchangeTwice(dirFd, "inner", "inner-link");
            default -> moveAwayAndBack();
        }
    }

    @Override
    void finish() {
        Posix.close(dirFd);
        Posix.close(brickFd);
    }

    /** Atomic: the name is always there, either the directory or the symlink. */
    private static void exchangeTwice(int fd, String a, String b) {
        Posix.renameat2(fd, a, fd, b, Posix.RENAME_EXCHANGE);
        Thread.yield(); // let a request resolve through the symlink
        Posix.renameat2(fd, a, fd, b, Posix.RENAME_EXCHANGE);
        Thread.yield(); // and one through the directory, so requests meet both about as often
    }

    /** The way a shell script would do it: the directory is renamed away and a new symlink takes its name. */
    private void moveAwayAndBack() {
        Posix.renameat2(brickFd, "d", brickFd, "d-away", 0);
        Posix.symlinkat(outside, brickFd, "d");
        Thread.yield();
        Posix.unlinkat(brickFd, "d", false);
        Posix.renameat2(brickFd, "d-away", brickFd, "d", 0);
        Thread.yield();
    }
}
