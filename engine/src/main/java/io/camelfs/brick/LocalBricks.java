package io.camelfs.brick;

import io.camelfs.volume.BrickAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Bricks served by this JVM. A node that runs a brick and a client of the same volume reads from its own brick:
 * that is what "prefer the local brick" means when several bricks share one host.
 */
public final class LocalBricks {
    private static final Set<BrickAddress> SERVED = ConcurrentHashMap.newKeySet();
    private static final Set<BrickServer> SERVERS = ConcurrentHashMap.newKeySet();
    private static final List<Watcher> WATCHERS = new CopyOnWriteArrayList<>();

    /** Told when a brick starts or stops in this JVM (the JMX exporter adds and removes its MBean). */
    public interface Watcher {
        void started(BrickServer brick);

        void stopped(BrickServer brick);
    }

    private LocalBricks() {
    }

    static void register(BrickServer b) {
        SERVERS.add(b);
        SERVED.add(b.address());
        WATCHERS.forEach(w -> w.started(b));
    }

    static void unregister(BrickServer b) {
        SERVERS.remove(b);
        SERVED.remove(b.address());
        WATCHERS.forEach(w -> w.stopped(b));
    }

    /** Adds a watcher and tells it about the bricks already running. */
    public static void watch(Watcher w) {
        WATCHERS.add(w);
        servers().forEach(w::started);
    }

    public static void unwatch(Watcher w) {
        WATCHERS.remove(w);
    }

    /** The bricks running in this JVM, for the monitoring exporters. */
    public static List<BrickServer> servers() {
        List<BrickServer> all = new ArrayList<>(SERVERS);
        all.sort(Comparator.comparing((BrickServer s) -> s.volume().name()).thenComparing(
                BrickServer::index));
        return all;
    }

    public static boolean contains(BrickAddress a) {
        return SERVED.contains(a);
    }
}
