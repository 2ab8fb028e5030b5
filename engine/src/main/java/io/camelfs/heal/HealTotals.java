package io.camelfs.heal;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one healer's crawls added up to since it started, per crawl type: the figures a monitoring system graphs,
 * kept as running sums so reading them never crawls anything.
 */
public final class HealTotals {
    /** The sums of one crawl type. */
    public record Sums(long crawls, double seconds, long scanned, long healed, long failed, long splitBrain,
            long bytes) {
    }

    private static final class Adders {
        final LongAdder crawls = new LongAdder();
        final LongAdder millis = new LongAdder();
        final LongAdder scanned = new LongAdder();
        final LongAdder healed = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder splitBrain = new LongAdder();
        final LongAdder bytes = new LongAdder();
    }

    private final Map<CrawlType, Adders> byType = new EnumMap<>(CrawlType.class);

    HealTotals() {
        for (CrawlType t : CrawlType.values()) {
            byType.put(t, new Adders());
        }
    }

    void add(HealReport r) {
        Adders a = byType.get(r.type());
        a.crawls.increment();
        a.millis.add(Math.max(0, r.millis()));
        a.scanned.add(r.scanned());
        a.healed.add(r.healed());
        a.failed.add(r.failed());
        a.splitBrain.add(r.splitBrain());
        a.bytes.add(r.bytes());
    }

    public Sums of(CrawlType type) {
        Adders a = byType.get(type);
        return new Sums(a.crawls.sum(), a.millis.sum() / 1000.0, a.scanned.sum(), a.healed.sum(), a.failed.sum(),
                a.splitBrain.sum(), a.bytes.sum());
    }
}
