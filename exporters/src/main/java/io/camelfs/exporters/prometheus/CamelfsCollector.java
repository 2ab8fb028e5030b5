package io.camelfs.exporters.prometheus;

import io.camelfs.afr.Replicate;
import io.camelfs.brick.BrickServer;
import io.camelfs.brick.PendingIndex;
import io.camelfs.camel.gluster.VolumeHandle;
import io.camelfs.heal.CrawlType;
import io.camelfs.heal.HealTotals;
import io.camelfs.stats.OpSnapshot;
import io.camelfs.stats.OpStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The camelfs figures of one node as Prometheus metric families, read at scrape time from running sums: the
 * bricks this node serves (as the bricks saw their clients) and the volumes it uses (as this node's routes saw
 * them). Nothing is crawled on a scrape: heal backlogs are the sizes of the bricks' in-memory indices.
 */
public final class CamelfsCollector implements MultiCollector {
    private static final double[] BOUNDS = OpStats.bounds();

    private final Supplier<Collection<BrickServer>> bricks;
    private final Supplier<Collection<VolumeHandle>> volumes;

    public CamelfsCollector(Supplier<Collection<BrickServer>> bricks, Supplier<Collection<VolumeHandle>> volumes) {
        this.bricks = bricks;
        this.volumes = volumes;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        collectBricks(out);
        collectVolumes(out);
        return new MetricSnapshots(out);
    }

    private void collectBricks(List<MetricSnapshot> out) {
        Family ops = new Family();
        CounterSnapshot.Builder errors = counter("camelfs_brick_operation_errors",
                "Operations a brick answered with an error, by operation");
        CounterSnapshot.Builder read = counter("camelfs_brick_read_bytes", "File data bytes a brick read for clients")
                .unit(Unit.BYTES);
        CounterSnapshot.Builder written = counter("camelfs_brick_written_bytes",
                "File data bytes a brick wrote for clients").unit(Unit.BYTES);
        GaugeSnapshot.Builder clients = gauge("camelfs_brick_connected_clients",
                "Client connections a brick has open");
        GaugeSnapshot.Builder pending = gauge("camelfs_brick_heal_pending_entries",
                "Entries in a brick's heal index waiting for heal (pending or outcome unknown)");
        GaugeSnapshot.Builder split = gauge("camelfs_brick_split_brain_entries",
                "Entries a brick's heal index holds in split-brain");
        boolean any = false;
        for (BrickServer b : bricks.get()) {
            any = true;
            Labels l = Labels.of("volume", b.volume().name(), "brick", b.address().toString());
            ops.add(l, b.operations().snapshot(), errors);
            read.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(b.bytesRead()).build());
            written.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(b.bytesWritten()).build());
            clients.dataPoint(gaugePoint(l, b.connectedClients()));
            PendingIndex index = b.pendingIndex();
            pending.dataPoint(gaugePoint(l, index.count(PendingIndex.Kind.PENDING)
                    + index.count(PendingIndex.Kind.DIRTY)));
            split.dataPoint(gaugePoint(l, index.count(PendingIndex.Kind.SPLIT_BRAIN)));
        }
        if (!any) {
            return;
        }
        out.add(ops.histogram("camelfs_brick_operation_duration_seconds",
                "Time a brick took to serve an operation, by operation (count: operations served)"));
        out.add(errors.build());
        out.add(read.build());
        out.add(written.build());
        out.add(clients.build());
        out.add(pending.build());
        out.add(split.build());
    }

    private void collectVolumes(List<MetricSnapshot> out) {
        Family ops = new Family();
        CounterSnapshot.Builder errors = counter("camelfs_volume_operation_errors",
                "File operations on a volume by this node's routes that failed, by operation");
        CounterSnapshot.Builder read = counter("camelfs_volume_read_bytes",
                "File data bytes this node's routes read from a volume").unit(Unit.BYTES);
        CounterSnapshot.Builder written = counter("camelfs_volume_written_bytes",
                "File data bytes this node's routes wrote to a volume").unit(Unit.BYTES);
        GaugeSnapshot.Builder replica = gauge("camelfs_volume_bricks", "Bricks a volume has (its replica count)");
        GaugeSnapshot.Builder up = gauge("camelfs_volume_brick_up",
                "1 when this node is connected to the brick, 0 when it is down as this node sees it");
        GaugeSnapshot.Builder quorum = gauge("camelfs_volume_quorum_met",
                "1 when the bricks this node reaches meet the volume's write quorum");
        CounterSnapshot.Builder crawls = counter("camelfs_heal_crawls", "Heal crawls this node ran, by type");
        CounterSnapshot.Builder crawlTime = counter("camelfs_heal_crawl_duration_seconds",
                "Time this node's heal crawls took altogether, by type").unit(Unit.SECONDS);
        CounterSnapshot.Builder healed = counter("camelfs_heal_healed_entries",
                "Entries this node's heal crawls repaired, by type");
        CounterSnapshot.Builder failed = counter("camelfs_heal_failed_entries",
                "Entries this node's heal crawls could not repair (retried later), by type");
        CounterSnapshot.Builder copied = counter("camelfs_heal_copied_bytes",
                "Data bytes this node's heal crawls copied to bricks, by type").unit(Unit.BYTES);
        boolean any = false;
        for (VolumeHandle v : volumes.get()) {
            any = true;
            Labels l = Labels.of("volume", v.volume());
            ops.add(l, v.meter().ops().snapshot(), errors);
            read.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(v.meter().bytesRead()).build());
            written.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(v.meter().bytesWritten()).build());
            Replicate c = v.client();
            replica.dataPoint(gaugePoint(l, c.spec().replica()));
            for (int b = 0; b < c.spec().replica(); b++) {
                up.dataPoint(gaugePoint(l.add("brick", c.spec().bricks().get(b).toString()), c.isUp(b) ? 1 : 0));
            }
            quorum.dataPoint(gaugePoint(l, c.quorumMet() ? 1 : 0));
            HealTotals totals = v.healer().totals();
            for (CrawlType t : CrawlType.values()) {
                HealTotals.Sums s = totals.of(t);
                Labels lt = l.add("type", t.name().toLowerCase(Locale.ROOT));
                crawls.dataPoint(CounterDataPointSnapshot.builder().labels(lt).value(s.crawls()).build());
                crawlTime.dataPoint(CounterDataPointSnapshot.builder().labels(lt).value(s.seconds()).build());
                healed.dataPoint(CounterDataPointSnapshot.builder().labels(lt).value(s.healed()).build());
                failed.dataPoint(CounterDataPointSnapshot.builder().labels(lt).value(s.failed()).build());
                copied.dataPoint(CounterDataPointSnapshot.builder().labels(lt).value(s.bytes()).build());
            }
        }
        if (!any) {
            return;
        }
        out.add(ops.histogram("camelfs_volume_operation_duration_seconds",
                "Time a file operation on a volume took for this node's routes, replication included, by operation"
                        + " (count: operations)"));
        out.add(errors.build());
        out.add(read.build());
        out.add(written.build());
        out.add(replica.build());
        out.add(up.build());
        out.add(quorum.build());
        out.add(crawls.build());
        out.add(crawlTime.build());
        out.add(healed.build());
        out.add(failed.build());
        out.add(copied.build());
    }

    /** Operation histograms of several bricks or volumes, and their error counters, filled together. */
    private static final class Family {
        private final List<HistogramDataPointSnapshot> points = new ArrayList<>();

        void add(Labels owner, List<OpSnapshot> ops, CounterSnapshot.Builder errors) {
            for (OpSnapshot s : ops) {
                Labels l = owner.add("op", s.op());
                long[] cumulative = s.cumulativeBuckets();
                double[] bounds = new double[cumulative.length];
                long[] counts = new long[cumulative.length];
                long previous = 0;
                for (int i = 0; i < cumulative.length; i++) {
                    bounds[i] = i < BOUNDS.length ? BOUNDS[i] : Double.POSITIVE_INFINITY;
                    counts[i] = cumulative[i] - previous; // the model wants each bucket's own count
                    previous = cumulative[i];
                }
                points.add(HistogramDataPointSnapshot.builder().labels(l).sum(s.seconds())
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts)).build());
                errors.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(s.failed()).build());
            }
        }

        HistogramSnapshot histogram(String name, String help) {
            HistogramSnapshot.Builder h = HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS);
            points.forEach(h::dataPoint);
            return h.build();
        }
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static GaugeDataPointSnapshot gaugePoint(Labels l, double v) {
        return GaugeDataPointSnapshot.builder().labels(l).value(v).build();
    }
}
