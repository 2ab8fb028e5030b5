package io.camelfs.cli;

import io.camelfs.client.LocalHost;
import io.camelfs.heal.HealInfo;
import io.camelfs.heal.HealProgress;
import io.camelfs.heal.HealReport;
import io.camelfs.heal.Healer;
import io.camelfs.volume.BrickAddress;
import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** bin/camelfs heal: GlusterFS's "volume heal", answering from the bricks' heal indices. */
@Command(name = "heal", description = {"Self-heal a volume, or show what needs heal.", "",
    "  heal HOST:PORT:/VOL                  heal what the bricks' heal indices list, now",
    "  heal HOST:PORT:/VOL full             compare every file on every brick and heal differences",
    "  heal HOST:PORT:/VOL info             per brick: each path that needs heal",
    "  heal HOST:PORT:/VOL info summary     per brick: counts only",
    "  heal HOST:PORT:/VOL statistics       the crawls each brick recorded",
    "  heal HOST:PORT:/VOL split-brain bigger-file PATH",
    "  heal HOST:PORT:/VOL split-brain latest-mtime PATH",
    "  heal HOST:PORT:/VOL split-brain source-brick HOST:PORT [PATH]",
    "", "A heal on a terminal shows its progress and an estimated time to completion."})
final class HealCommand implements Callable<Integer> {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy",
            Locale.ROOT).withZone(ZoneId.systemDefault());

    @Parameters(index = "0", paramLabel = "HOST:PORT:/VOLUME")
    String target;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ACTION", description = "full, info [summary],"
            + " statistics, split-brain ...")
    List<String> action = List.of();

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        String verb = action.isEmpty() ? "" : action.get(0);
        checkArguments(verb);
        try (VolumeTarget t = VolumeTarget.open(target);
                Healer h = new Healer(t.volume.replicas(), "cli on " + LocalHost.name())) {
            switch (verb) {
                case "":
                    return crawl(h, false);
                case "full":
                    return crawl(h, true);
                case "info":
                    return info(h.info(), action.size() > 1);
                case "statistics":
                    return statistics(h);
                default:
                    return splitBrain(h);
            }
        }
    }

    private void checkArguments(String verb) {
        boolean ok;
        switch (verb) {
            case "":
            case "full":
            case "statistics":
                ok = action.size() <= 1;
                break;
            case "info":
                ok = action.size() == 1 || (action.size() == 2 && action.get(1).equals("summary"));
                break;
            case "split-brain":
                ok = action.size() >= 2 && ((List.of("bigger-file", "latest-mtime").contains(action.get(1))
                        && action.size() == 3) || (action.get(1).equals("source-brick") && action.size() >= 3
                        && action.size() <= 4));
                break;
            default:
                ok = false;
        }
        if (!ok) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "unknown heal action '" + String.join(" ", action) + "' (expected: full, info, info summary,"
                            + " statistics, split-brain bigger-file PATH, split-brain latest-mtime PATH,"
                            + " split-brain source-brick HOST:PORT [PATH])");
        }
    }

    private int crawl(Healer h, boolean full) {
        String volume = h.replicas().spec().name();
        out.println("Launching heal operation to perform " + (full ? "full" : "index") + " self heal on volume "
                + volume);
        HealProgress progress = System.console() != null ? new TerminalProgress(System.err) : HealProgress.NONE;
        HealReport r = full ? h.full(progress) : h.index(progress);
        if (progress != HealProgress.NONE) {
            System.err.println();
        }
        out.println(summary(r));
        return 0;
    }

    static String summary(HealReport r) {
        return String.format(Locale.ROOT, "%s heal of %d entries: %d healed, %d failed, %d in split-brain, %s copied,"
                + " %.1f s", r.type().name().toLowerCase(Locale.ROOT), r.scanned(), r.healed(), r.failed(),
                r.splitBrain(), bytes(r.bytes()), r.millis() / 1000.0);
    }

    private static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1 << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1 << 20));
    }

    /** "healed 420/1000 (42%) ... ETA 0:07", rewritten in place on the terminal. */
    private static final class TerminalProgress implements HealProgress {
        private final PrintStream err;

        TerminalProgress(PrintStream err) {
            this.err = err;
        }

        @Override
        public void update(long done, long total, long healed, long failed, long millis) {
            double rate = millis > 0 ? done * 1000.0 / millis : 0;
            String eta = rate > 0 && total > done ? clock((long) ((total - done) / rate)) : "-";
            err.printf(Locale.ROOT, "\r%d/%d looked at (%d%%), %d healed, %d failed, %.0f/s, ETA %s   ", done,
                    total, total == 0 ? 100 : done * 100 / total, healed, failed, rate, eta);
            err.flush();
        }

        private static String clock(long seconds) {
            return seconds / 60 + ":" + String.format(Locale.ROOT, "%02d", seconds % 60);
        }
    }

    private int info(HealInfo info, boolean summary) {
        StringBuilder sb = new StringBuilder(1 << 16);
        for (HealInfo.Brick b : info.bricks()) {
            sb.append("Brick ").append(b.address()).append('\n');
            if (summary) {
                sb.append("Status: ").append(b.status()).append('\n');
                if (b.connected()) {
                    sb.append("Total Number of entries: ").append(b.entries().size()).append('\n');
                    sb.append("Number of entries in heal pending: ").append(b.entries().size() - b.splitBrain())
                            .append('\n');
                    sb.append("Number of entries in split-brain: ").append(b.splitBrain()).append('\n');
                    sb.append("Number of entries possibly healing: ").append(b.dirty()).append('\n');
                } else {
                    sb.append("Total Number of entries: -\n");
                }
            } else {
                if (b.connected()) {
                    for (HealInfo.Entry e : b.entries()) {
                        sb.append(e.path().isEmpty() ? "<gfid:" + e.gfid() + ">" : e.path());
                        if (e.splitBrain()) {
                            sb.append(" - Is in split-brain");
                        }
                        sb.append('\n');
                        if (sb.length() > 1 << 20) {
                            out.print(sb);
                            sb.setLength(0);
                        }
                    }
                }
                sb.append("Status: ").append(b.status()).append('\n');
                sb.append("Number of entries: ").append(b.connected() ? Integer.toString(b.entries().size()) : "-")
                        .append('\n');
            }
            sb.append('\n');
        }
        out.print(sb);
        out.flush();
        return 0;
    }

    private int statistics(Healer h) {
        out.println("Gathering crawl statistics on volume " + h.replicas().spec().name() + " has been successful");
        out.println("------------------------------------------------");
        List<Healer.CrawlRecord> crawls = h.statistics();
        if (crawls.isEmpty()) {
            out.println("No crawl recorded yet.");
        }
        for (Healer.CrawlRecord c : crawls) {
            HealReport r = c.report();
            out.println();
            out.println("Crawl statistics for brick " + c.brick());
            out.println("Healer: " + c.healer());
            out.println("Starting time of crawl: " + WHEN.format(r.start()));
            out.println("Ending time of crawl: " + WHEN.format(r.end()));
            out.println("Type of crawl: " + r.type());
            out.println("No. of entries scanned: " + r.scanned());
            out.println("No. of entries healed: " + r.healed());
            out.println("No. of entries in split-brain: " + r.splitBrain());
            out.println("No. of heal failed entries: " + r.failed());
            out.println("Data copied: " + bytes(r.bytes()));
        }
        return 0;
    }

    private int splitBrain(Healer h) {
        String how = action.get(1);
        HealReport r;
        if (how.equals("source-brick")) {
            BrickAddress brick = BrickAddress.parse(action.get(2));
            if (action.size() == 4) {
                r = h.resolve(action.get(3), new Healer.SourceBrick(brick));
                out.println("Healed " + action.get(3) + " from brick " + brick);
            } else {
                r = h.resolveAll(brick);
                out.println("Healed " + r.healed() + " of " + r.scanned() + " split-brain entries from brick " + brick
                        + (r.failed() > 0 ? "; " + r.failed() + " failed" : ""));
            }
        } else {
            String path = action.get(2);
            r = h.resolve(path, how.equals("bigger-file") ? new Healer.BiggerFile() : new Healer.LatestMtime());
            out.println("Healed " + path + " from the " + (how.equals("bigger-file") ? "bigger" : "latest") + " copy");
        }
        return r.failed() > 0 ? 1 : 0;
    }
}
