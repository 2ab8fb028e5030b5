package io.camelfs.heal;

import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's self-heal daemon for one volume: an index crawl when it starts, as soon as a brick (re)connects, and
 * once more a brick timeout later -- by then every client has noticed the brick is back and stopped blaming it, so
 * that second crawl catches what they marked meanwhile. Crawls never overlap; a trigger during a crawl runs one
 * more crawl after it. Scheduled crawls (a Quartz route) go through {@link #crawlNow}.
 */
public final class SelfHealDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SelfHealDaemon.class);

    private final Healer healer;
    private final Supplier<Collection<Integer>> bricks;
    private final ScheduledExecutorService worker;
    private final Consumer<HealReport> reports;
    private final Object lock = new Object();
    private boolean running;
    private boolean again;
    private volatile boolean closed;

    /**
     * @param bricks  whose heal indices to crawl, asked before each crawl: this node's own bricks, or all of the
     *                volume's when it has none
     * @param reports told of every crawl's result
     */
    public SelfHealDaemon(Healer healer, Supplier<Collection<Integer>> bricks, Consumer<HealReport> reports) {
        this.healer = healer;
        this.bricks = bricks;
        this.reports = reports;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "self-heal-" + healer.replicas().spec().name());
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        long later = healer.replicas().timeout().toMillis() + 1000;
        healer.replicas().onBrickUp(b -> {
            trigger();
            worker.schedule(this::trigger, later, TimeUnit.MILLISECONDS);
        });
        trigger();
    }

    /** Asks for an index crawl soon; never blocks. */
    public void trigger() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (running) {
                again = true;
                return;
            }
            running = true;
        }
        worker.execute(this::loop);
    }

    private void loop() {
        for (;;) {
            try {
                HealReport r = healer.index(bricks.get(), HealProgress.NONE);
                reports.accept(r);
            } catch (RuntimeException e) {
                LOG.warn("volume {}: self-heal crawl failed: {}", healer.replicas().spec().name(), e.toString());
            }
            synchronized (lock) {
                if (!again || closed) {
                    running = false;
                    return;
                }
                again = false;
            }
        }
    }

    /** An index crawl now, in the caller's thread (waits for a running one). */
    public HealReport crawlNow() {
        return healer.index(bricks.get(), HealProgress.NONE);
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdownNow();
    }
}
