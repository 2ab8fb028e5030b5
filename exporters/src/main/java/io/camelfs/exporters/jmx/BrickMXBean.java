package io.camelfs.exporters.jmx;

import java.util.Map;

/** A brick this node serves, under {@code io.camelfs:type=Brick,volume=VOLUME,host=HOST,port=PORT}. */
public interface BrickMXBean {
    String getVolume();

    String getAddress();

    String getDirectory();

    int getConnectedClients();

    /** Operations served since the brick started. */
    long getOperations();

    long getOperationErrors();

    Map<String, Long> getOperationCounts();

    long getBytesRead();

    long getBytesWritten();

    long getHealPendingEntries();

    long getSplitBrainEntries();
}
