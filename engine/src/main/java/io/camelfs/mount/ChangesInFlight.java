package io.camelfs.mount;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Changes of one path (writes, chmod, utimens...) this mount is running at once. Their replies can arrive in another
 * order than the bricks applied them, so the attributes a change returned are worth keeping only if no other change
 * of the same path overlapped it.
 */
final class ChangesInFlight {
    private static final class Run {
        int running;
        boolean overlapped;
    }

    private final ConcurrentHashMap<String, Run> runs = new ConcurrentHashMap<>();

    void begin(String path) {
        runs.compute(path, (p, r) -> {
            if (r == null) {
                r = new Run();
            } else {
                r.overlapped = true;
            }
            r.running++;
            return r;
        });
    }

    /** Ends a change begun with {@link #begin}; true if no other change of the path ran meanwhile. */
    boolean end(String path) {
        boolean[] alone = {false};
        runs.computeIfPresent(path, (p, r) -> {
            r.running--;
            alone[0] = !r.overlapped;
            return r.running == 0 ? null : r;
        });
        return alone[0];
    }
}
