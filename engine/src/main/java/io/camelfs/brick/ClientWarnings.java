package io.camelfs.brick;

import java.util.Arrays;
import org.slf4j.Logger;

/**
 * Warnings a client can cause (refused connections, malformed or stalled requests), at most {@link #PER_SECOND} a
 * second per brick: a hostile client must not fill the disk with the brick's log. What is held back is counted and
 * reported with the next warning that gets through.
 */
final class ClientWarnings {
    static final int PER_SECOND = 10;

    private final Logger log;
    private long windowStart;
    private int inWindow;
    private long suppressed;

    ClientWarnings(Logger log) {
        this.log = log;
    }

    void warn(String format, Object... args) {
        long held;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - windowStart >= 1_000_000_000L) {
                windowStart = now;
                inWindow = 0;
            }
            if (++inWindow > PER_SECOND) {
                suppressed++;
                return;
            }
            held = suppressed;
            suppressed = 0;
        }
        if (held > 0) {
            log.warn(format + " ({} similar warnings held back)", append(args, held));
        } else {
            log.warn(format, args);
        }
    }

    private static Object[] append(Object[] args, Object last) {
        Object[] out = Arrays.copyOf(args, args.length + 1);
        out[args.length] = last;
        return out;
    }
}
