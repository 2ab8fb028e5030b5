package io.camelfs.exporters.jmx;

import io.camelfs.camel.gluster.VolumeHandle;
import io.camelfs.heal.CrawlType;
import io.camelfs.heal.HealCounts;
import io.camelfs.heal.HealInfo;
import io.camelfs.heal.HealProgress;
import io.camelfs.heal.HealTotals;
import java.util.Map;
import java.util.function.ToLongFunction;

/** The MBean of one volume this node uses. */
final class VolumeView implements VolumeMXBean {
    /** healInfo() lists at most this many paths per brick: an MBean attribute is not a place for 100,000 lines. */
    static final int LISTED = 100;

    private final VolumeHandle volume;

    VolumeView(VolumeHandle volume) {
        this.volume = volume;
    }

    @Override
    public String getName() {
        return volume.volume();
    }

    @Override
    public int getReplica() {
        return volume.client().spec().replica();
    }

    @Override
    public int getBricksUp() {
        return volume.client().upBricks().size();
    }

    @Override
    public boolean isQuorumMet() {
        return volume.client().quorumMet();
    }

    @Override
    public long getOperations() {
        return OpTotals.of(volume.meter().ops()).operations();
    }

    @Override
    public long getOperationErrors() {
        return OpTotals.of(volume.meter().ops()).errors();
    }

    @Override
    public Map<String, Long> getOperationCounts() {
        return OpTotals.of(volume.meter().ops()).counts();
    }

    @Override
    public long getBytesRead() {
        return volume.meter().bytesRead();
    }

    @Override
    public long getBytesWritten() {
        return volume.meter().bytesWritten();
    }

    @Override
    public long getHealPendingEntries() {
        return volume.healer().counts().needingHeal();
    }

    @Override
    public long getSplitBrainEntries() {
        return volume.healer().counts().splitBrain();
    }

    private long sum(ToLongFunction<HealTotals.Sums> f) {
        long n = 0;
        for (CrawlType t : CrawlType.values()) {
            n += f.applyAsLong(volume.healer().totals().of(t));
        }
        return n;
    }

    @Override
    public long getHealCrawls() {
        return sum(HealTotals.Sums::crawls);
    }

    @Override
    public long getHealedEntries() {
        return sum(HealTotals.Sums::healed);
    }

    @Override
    public long getHealFailedEntries() {
        return sum(HealTotals.Sums::failed);
    }

    @Override
    public String heal() {
        return volume.healer().index(HealProgress.NONE).toString();
    }

    @Override
    public String healFull() {
        return volume.healer().full(HealProgress.NONE).toString();
    }

    @Override
    public String healInfo() {
        HealInfo info = volume.healer().info();
        StringBuilder sb = new StringBuilder();
        for (HealInfo.Brick b : info.bricks()) {
            sb.append("Brick ").append(b.address()).append(": ");
            if (!b.connected()) {
                sb.append(b.status()).append('\n');
                continue;
            }
            sb.append(b.entries().size()).append(" entries, ").append(b.splitBrain()).append(" in split-brain\n");
            int n = 0;
            for (HealInfo.Entry e : b.entries()) {
                if (n++ == LISTED) {
                    sb.append("  ... ").append(b.entries().size() - LISTED).append(" more\n");
                    break;
                }
                sb.append("  ").append(e.path().isEmpty() ? "<gfid:" + e.gfid() + ">" : e.path())
                        .append(e.splitBrain() ? " - Is in split-brain" : "").append('\n');
            }
        }
        return sb.toString();
    }

    /** Counts only, for callers that want numbers. */
    HealCounts counts() {
        return volume.healer().counts();
    }
}
