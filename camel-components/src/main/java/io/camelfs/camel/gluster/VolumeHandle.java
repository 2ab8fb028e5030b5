package io.camelfs.camel.gluster;

import io.camelfs.afr.Replicate;
import io.camelfs.brick.LocalBricks;
import io.camelfs.heal.AccessHeals;
import io.camelfs.heal.Healer;
import io.camelfs.heal.SelfHealDaemon;
import io.camelfs.stats.MeteredOps;
import java.util.ArrayList;
import java.util.List;

/**
 * One volume as this node's gluster: component uses it: the client every endpoint of the volume shares (behind a
 * metrics layer that counts what the routes do), its healer (heal on access, the heal operations), and -- once a
 * route declares a heal endpoint -- the self-heal daemon. The monitoring exporters read their figures from here.
 */
public final class VolumeHandle implements AutoCloseable {
    final Replicate client;
    final MeteredOps ops;
    private final String name;
    private Healer healer;
    private AccessHeals access;
    private SelfHealDaemon daemon;

    VolumeHandle(Replicate client, String name) {
        this.client = client;
        this.ops = new MeteredOps(client);
        this.name = name;
        if (client.spec().options().healOnAccess()) {
            this.access = AccessHeals.attach(client, healer());
        }
    }

    public String volume() {
        return client.spec().name();
    }

    /** The replicate layer: bricks up as this node sees them, quorum. */
    public Replicate client() {
        return client;
    }

    /** What the routes of this node did with the volume: FOP counts, latencies, bytes. */
    public MeteredOps.Meter meter() {
        return ops.meter();
    }

    public synchronized Healer healer() {
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
