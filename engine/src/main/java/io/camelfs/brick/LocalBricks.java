package io.camelfs.brick;

import io.camelfs.volume.BrickAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bricks served by this JVM. A node that runs a brick and a client of the same volume reads from its own brick:
 * that is what "prefer the local brick" means when several bricks share one host.
 */
public final class LocalBricks {
    private static final Set<BrickAddress> SERVED = ConcurrentHashMap.newKeySet();

    private LocalBricks() {
    }

    static void register(BrickAddress a) {
        SERVED.add(a);
    }

    static void unregister(BrickAddress a) {
        SERVED.remove(a);
    }

    public static boolean contains(BrickAddress a) {
        return SERVED.contains(a);
    }
}
