package io.camelfs.heal;

import io.camelfs.afr.Replicate;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heal on access: paths a client found needing heal while it looked them up or read them (and was served from a
 * good copy) are healed in the background, one at a time, each at most once in a short while. The queue is bounded:
 * what does not fit is left to the next index crawl, which finds it in the bricks' heal indices anyway.
 */
public final class AccessHeals implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessHeals.class);
    private static final int MAX_QUEUED = 10_000;
    private static final long QUIET_MILLIS = 2000;

    private final Healer healer;
    private final LinkedHashSet<String> queue = new LinkedHashSet<>();
    private final Map<String, Long> recent = new LinkedHashMap<>();
    private final Thread worker;
    private volatile boolean closed;

    private AccessHeals(Healer healer) {
        this.healer = healer;
        this.worker = new Thread(this::work, "heal-on-access-" + healer.replicas().spec().name());
        this.worker.setDaemon(true);
    }

    /** Heals, in the background, what the client's lookups and reads find needing it. */
    public static AccessHeals attach(Replicate client, Healer healer) {
        AccessHeals a = new AccessHeals(healer);
        client.onNeedsHeal(a::offer);
        a.worker.start();
        return a;
    }

    void offer(String path) {
        if (closed) {
            return;
        }
        synchronized (this) {
            Long at = recent.get(path);
            if (at != null && System.currentTimeMillis() - at < QUIET_MILLIS) {
                return;
            }
            if (queue.size() < MAX_QUEUED && queue.add(path)) {
                notifyAll();
            }
        }
    }

    private void work() {
        while (!closed) {
            String path;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                Iterator<String> it = queue.iterator();
                path = it.next();
                it.remove();
            }
            try {
                HealReport r = healer.path(path);
                if (r.healed() > 0) {
                    LOG.info("volume {}: healed {} on access", healer.replicas().spec().name(), path);
                }
            } catch (RuntimeException e) {
                LOG.debug("heal on access of {} failed: {}", path, e.toString());
            }
            synchronized (this) {
                long now = System.currentTimeMillis();
                recent.put(path, now);
                recent.values().removeIf(t -> now - t > QUIET_MILLIS);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        worker.interrupt();
    }
}
