package io.camelfs.camel.gluster;

import io.camelfs.afr.Replicate;
import io.camelfs.brick.LocalBricks;
import io.camelfs.heal.AccessHeals;
import io.camelfs.heal.Healer;
import io.camelfs.heal.SelfHealDaemon;
import java.util.ArrayList;
import java.util.List;

/**
 * One volume as this node's gluster: component uses it: the client every endpoint of the volume shares, its healer
 * (heal on access, the heal operations), and -- once a route declares a heal endpoint -- the self-heal daemon.
 */
final class VolumeHandle implements AutoCloseable {
    final Replicate client;
    private final String name;
    private Healer healer;
    private AccessHeals access;
    private SelfHealDaemon daemon;

    VolumeHandle(Replicate client, String name) {
        this.client = client;
        this.name = name;
        if (client.spec().options().healOnAccess()) {
            this.access = AccessHeals.attach(client, healer());
        }
    }

    synchronized Healer healer() {
        if (healer == null) {
            healer = new Healer(client.replicas(), name);
        }
        return healer;
    }

    /** Starts the self-heal daemon (once): it crawls this node's own bricks' indices, or all when it has none. */
    synchronized void startDaemon() {
        if (daemon != null) {
            return;
        }
        daemon = new SelfHealDaemon(healer(), this::bricksToCrawl, r -> { });
        daemon.start();
    }

    private List<Integer> bricksToCrawl() {
        List<Integer> local = new ArrayList<>();
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < client.spec().replica(); i++) {
            all.add(i);
            if (LocalBricks.contains(client.spec().bricks().get(i))) {
                local.add(i);
            }
        }
        return local.isEmpty() ? all : local;
    }

    @Override
    public synchronized void close() {
        if (daemon != null) {
            daemon.close();
        }
        if (access != null) {
            access.close();
        }
        if (healer != null) {
            healer.close();
        }
        client.close();
    }
}
