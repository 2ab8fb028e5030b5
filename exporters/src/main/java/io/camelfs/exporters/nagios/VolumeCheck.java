package io.camelfs.exporters.nagios;

import io.camelfs.afr.Replicate;
import io.camelfs.client.VolumeClient;
import io.camelfs.heal.HealCounts;
import io.camelfs.heal.Healer;
import io.camelfs.volume.VolumeAddress;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A volume as a client sees it: bricks down against the replica count, quorum, split-brain and the heal backlog
 * (from the bricks' index counts: no listing, no crawl). Connects as its own short-lived client, so twenty of
 * these at once share nothing and cannot trip over each other.
 */
@Command(name = "volume", mixinStandardHelpOptions = true,
         description = {"OK: every brick up, no split-brain, heal backlog within -w.",
             "WARNING: a brick down (quorum still met), or the backlog beyond -w.",
             "CRITICAL: quorum lost, no brick reachable, split-brain entries, or the backlog beyond -c."})
final class VolumeCheck extends PluginCheck {
    @Parameters(index = "0", paramLabel = "HOST:PORT:/VOLUME", description = "any brick of the volume")
    String target;

    @Option(names = {"-w", "--warning"}, paramLabel = "RANGE", defaultValue = "100",
            description = "heal-pending entries that warn (range syntax, default ${DEFAULT-VALUE})")
    String warning;

    @Option(names = {"-c", "--critical"}, paramLabel = "RANGE", defaultValue = "1000",
            description = "heal-pending entries that are critical (default ${DEFAULT-VALUE})")
    String critical;

    private Range warn;
    private Range crit;
    private VolumeAddress address;

    @Override
    String service() {
        return "VOLUME";
    }

    @Override
    void validate() {
        warn = range(warning, "-w");
        crit = range(critical, "-c");
        try {
            address = VolumeAddress.parse(target);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    @Override
    PluginResult probe() {
        Replicate volume;
        try {
            volume = VolumeClient.open(address, "check_camelfs");
        } catch (RuntimeException e) {
            return PluginResult.of(service(), Status.CRITICAL, "volume " + address.volume() + " unreachable: "
                    + e.getMessage());
        }
        try (Healer healer = new Healer(volume.replicas(), "check_camelfs")) {
            int replica = volume.spec().replica();
            List<String> down = new ArrayList<>();
            for (int b = 0; b < replica; b++) {
                if (!volume.isUp(b)) {
                    down.add(volume.spec().bricks().get(b).toString());
                }
            }
            boolean quorum = volume.quorumMet();
            HealCounts counts = healer.counts();
            long pending = counts.needingHeal();
            long split = counts.splitBrain();
            int up = replica - down.size();

            Status s = Status.OK;
            List<String> problems = new ArrayList<>();
            if (up == 0) {
                s = Status.CRITICAL;
                problems.add("no brick reachable");
            } else if (!quorum) {
                s = Status.CRITICAL;
                problems.add("quorum lost");
            }
            if (!down.isEmpty()) {
                s = s.worst(Status.WARNING);
                problems.add("down: " + String.join(", ", down));
            }
            if (split > 0) {
                s = s.worst(Status.CRITICAL);
                problems.add(split + " in split-brain");
            }
            Status backlog = judge(pending, warn, crit);
            if (backlog != Status.OK) {
                s = s.worst(backlog);
                problems.add(pending + " entries need heal");
            }
            String summary = address.volume() + ": " + up + "/" + replica + " bricks up, quorum "
                    + (quorum ? "met" : "LOST") + ", " + pending + " need heal, " + split + " in split-brain"
                    + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")");
            List<PerfData> perf = List.of(
                    PerfData.of("bricks_up", up).thresholds(Range.parse(replica + ":"), Range.parse("1:")).bounds(0.0, (double) replica),
                    PerfData.of("quorum", quorum ? 1 : 0).thresholds(null, Range.parse("1:1")).bounds(0.0, 1.0),
                    PerfData.of("heal_pending", pending).thresholds(warn, crit).bounds(0.0, null),
                    PerfData.of("split_brain", split).thresholds(null, Range.parse("0")).bounds(0.0, null));
            return new PluginResult(service(), s, summary, perf);
        } finally {
            volume.close();
        }
    }

    @Override
    PluginResult timedOut() {
        return PluginResult.of(service(), Status.CRITICAL, "volume " + target + " did not answer within "
                + timeoutSeconds + " s");
    }
}
