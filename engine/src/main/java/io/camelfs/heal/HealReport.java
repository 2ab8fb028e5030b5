package io.camelfs.heal;

import java.time.Instant;

/**
 * What one crawl did: GlusterFS's crawl statistics. healed counts inodes repaired, failed those to retry,
 * splitBrain those waiting for a choice, bytes the data copied to sinks.
 */
public record HealReport(CrawlType type, Instant start, Instant end, long scanned, long healed, long failed,
        long splitBrain, long bytes) {

    public long millis() {
        return end.toEpochMilli() - start.toEpochMilli();
    }

    @Override
    public String toString() {
        return type + " crawl: " + scanned + " scanned, " + healed + " healed, " + failed + " failed, " + splitBrain
                + " in split-brain, " + bytes + " bytes copied in " + millis() + " ms";
    }
}
