package io.camelfs.exporters.jmx;

import java.util.Map;

/**
 * A volume as this node uses it, under {@code io.camelfs:type=Volume,name=VOLUME}: the Prometheus figures as
 * attributes, and the heal operations (the only operations Jolokia's default policy lets through).
 */
public interface VolumeMXBean {
    String getName();

    int getReplica();

    int getBricksUp();

    boolean isQuorumMet();

    /** File operations this node's routes ran on the volume. */
    long getOperations();

    long getOperationErrors();

    /** Operations by name (put, read, unlink, ...). */
    Map<String, Long> getOperationCounts();

    long getBytesRead();

    long getBytesWritten();

    /** Entries waiting for heal on all bricks, from their indices (asks the bricks). */
    long getHealPendingEntries();

    long getSplitBrainEntries();

    /** Heal crawls this node ran, all types. */
    long getHealCrawls();

    long getHealedEntries();

    long getHealFailedEntries();

    /** Index heal now; returns the crawl's report. */
    String heal();

    /** Full crawl now; returns the crawl's report. */
    String healFull();

    /** What heal info prints: per brick, the entries needing heal. */
    String healInfo();
}
