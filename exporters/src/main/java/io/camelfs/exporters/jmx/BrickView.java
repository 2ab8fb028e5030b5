package io.camelfs.exporters.jmx;

import io.camelfs.brick.BrickServer;
import io.camelfs.brick.PendingIndex;
import java.util.Map;

/** The MBean of one brick this node serves. */
final class BrickView implements BrickMXBean {
    private final BrickServer brick;

    BrickView(BrickServer brick) {
        this.brick = brick;
    }

    @Override
    public String getVolume() {
        return brick.volume().name();
    }

    @Override
    public String getAddress() {
        return brick.address().toString();
    }

    @Override
    public String getDirectory() {
        return brick.directory().toString();
    }

    @Override
    public int getConnectedClients() {
        return brick.connectedClients();
    }

    @Override
    public long getOperations() {
        return OpTotals.of(brick.operations()).operations();
    }

    @Override
    public long getOperationErrors() {
        return OpTotals.of(brick.operations()).errors();
    }

    @Override
    public Map<String, Long> getOperationCounts() {
        return OpTotals.of(brick.operations()).counts();
    }

    @Override
    public long getBytesRead() {
        return brick.bytesRead();
    }

    @Override
    public long getBytesWritten() {
        return brick.bytesWritten();
    }

    @Override
    public long getHealPendingEntries() {
        PendingIndex i = brick.pendingIndex();
        return i.count(PendingIndex.Kind.PENDING) + i.count(PendingIndex.Kind.DIRTY);
    }

    @Override
    public long getSplitBrainEntries() {
        return brick.pendingIndex().count(PendingIndex.Kind.SPLIT_BRAIN);
    }
}
