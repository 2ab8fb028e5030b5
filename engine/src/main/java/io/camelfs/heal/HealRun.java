package io.camelfs.heal;

import io.camelfs.afr.Replicas;
import io.camelfs.fop.FopException;
import io.camelfs.protocol.BrickUnavailableException;
import io.camelfs.volume.FavoriteChildPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One crawl in progress: its work queue, counters and what its tasks share. Tasks for inodes and directories run on
 * one pool; the names a directory heal repairs run on a second, so a directory heal can wait for its names without
 * ever waiting for a task queued behind it. A directory's entry heal runs once even if many tasks need it
 * (single flight), in the thread of the first that asks.
 */
final class HealRun {
    private static final Logger LOG = LoggerFactory.getLogger(HealRun.class);

    final Replicas replicas;
    final CrawlType type;
    final FavoriteChildPolicy policy;
    final ExecutorService inodes;
    final ExecutorService names;
    /** How long a healer waits for its keys: clients' leases are recalled first, which may take a brick timeout. */
    final Duration lockWait;
    final Instant start = Instant.now();
    /** An operator's choice for split-brains met in this run (the CLI's split-brain commands), or -1. */
    int forcedSource = -1;
    final LongAdder healed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder splitBrain = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder done = new LongAdder();
    final AtomicLong total = new AtomicLong();
    /** Hard links installed on a sink during this crawl: "brick:gfid" -> path, so the next name links to it. */
    final ConcurrentHashMap<String, String> links = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Outcome>> directories = new ConcurrentHashMap<>();
    private int outstanding;

    HealRun(Replicas replicas, CrawlType type, FavoriteChildPolicy policy, ExecutorService inodes,
            ExecutorService names) {
        this.replicas = replicas;
        this.type = type;
        this.policy = policy;
        this.inodes = inodes;
        this.names = names;
        this.lockWait = replicas.timeout().multipliedBy(2);
    }

    /** Queues a task; {@link #awaitIdle} returns once every task (and every task they queue) has ended. */
    void submit(Supplier<Outcome> task) {
        synchronized (this) {
            outstanding++;
        }
        inodes.execute(() -> {
            try {
                count(task.get());
            } catch (RuntimeException e) {
                if (e instanceof FopException || e instanceof BrickUnavailableException) {
                    // a brick went away or a lease was lost mid-heal: expected, and a later pass retries
                    LOG.warn("heal task failed: {}", e.getMessage());
                } else {
                    LOG.warn("heal task failed", e);
                }
                failed.increment();
                done.increment();
            } finally {
                synchronized (this) {
                    if (--outstanding == 0) {
                        notifyAll();
                    }
                }
            }
        });
    }

    void count(Outcome o) {
        switch (o) {
            case HEALED -> healed.increment();
            case SPLIT_BRAIN -> splitBrain.increment();
            case FAILED -> failed.increment();
            default -> {
            }
        }
        done.increment();
    }

    synchronized void awaitIdle() {
        while (outstanding > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while healing", e);
            }
        }
    }

    /**
     * Runs a directory's entry heal once: the first caller runs it in its own thread, later callers wait for that
     * run. A caller must not hold lease keys of names in that directory.
     */
    Outcome directory(String path, Supplier<Outcome> heal) {
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> running = directories.putIfAbsent(path, mine);
        if (running != null) {
            return running.join();
        }
        try {
            Outcome o = heal.get();
            mine.complete(o);
            return o;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            directories.remove(path, mine);
        }
    }

    HealReport report(long scanned) {
        return new HealReport(type, start, Instant.now(), scanned, healed.sum(), failed.sum(), splitBrain.sum(),
                bytes.sum());
    }
}
