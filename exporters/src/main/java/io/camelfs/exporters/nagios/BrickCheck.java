package io.camelfs.exporters.nagios;

import io.camelfs.fop.StatFs;
import io.camelfs.posix.Posix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A brick directory's disk: space and inodes used, in percent, against thresholds. */
@Command(name = "brick", mixinStandardHelpOptions = true,
         description = "Disk space and inode use of a brick directory's filesystem, in percent.")
final class BrickCheck extends PluginCheck {
    @Parameters(index = "0", paramLabel = "DIRECTORY", description = "the brick directory")
    Path directory;

    @Option(names = {"-w", "--warning"}, paramLabel = "RANGE", defaultValue = "80",
            description = "disk used percent that warns (default ${DEFAULT-VALUE})")
    String warning;

    @Option(names = {"-c", "--critical"}, paramLabel = "RANGE", defaultValue = "90",
            description = "disk used percent that is critical (default ${DEFAULT-VALUE})")
    String critical;

    @Option(names = {"-W", "--inodes-warning"}, paramLabel = "RANGE", defaultValue = "80",
            description = "inodes used percent that warns (default ${DEFAULT-VALUE})")
    String inodesWarning;

    @Option(names = {"-C", "--inodes-critical"}, paramLabel = "RANGE", defaultValue = "90",
            description = "inodes used percent that is critical (default ${DEFAULT-VALUE})")
    String inodesCritical;

    private Range warn;
    private Range crit;
    private Range iwarn;
    private Range icrit;

    @Override
    String service() {
        return "BRICK";
    }

    @Override
    void validate() {
        warn = range(warning, "-w");
        crit = range(critical, "-c");
        iwarn = range(inodesWarning, "-W");
        icrit = range(inodesCritical, "-C");
    }

    @Override
    PluginResult probe() {
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            return PluginResult.of(service(), Status.CRITICAL, dir + " does not exist or is not a directory");
        }
        if (!Files.isDirectory(dir.resolve(".camelfs"))) {
            return PluginResult.of(service(), Status.UNKNOWN, dir + " is not a camelfs brick (no .camelfs)");
        }
        int fd = Posix.openat(Posix.AT_FDCWD, dir.toString(), Posix.O_RDONLY | Posix.O_DIRECTORY
                | Posix.O_CLOEXEC, 0);
        StatFs fs;
        try {
            fs = Posix.fstatvfs(fd);
        } finally {
            Posix.close(fd);
        }
        double usedPct = percent(fs.blocks() - fs.bfree(), fs.blocks() - fs.bfree() + fs.bavail());
        double inodePct = percent(fs.files() - fs.ffree(), fs.files());
        Status s = judge(usedPct, warn, crit).worst(judge(inodePct, iwarn, icrit));
        long freeBytes = fs.bavail() * fs.frsize();
        String summary = String.format(Locale.ROOT, "%s: %.1f%% of space used (%s free), %.1f%% of inodes used",
                dir, usedPct, human(freeBytes), inodePct);
        return new PluginResult(service(), s, summary, List.of(
                PerfData.of("space_used", round(usedPct)).uom("%").thresholds(warn, crit).bounds(0.0, 100.0),
                PerfData.of("inodes_used", round(inodePct)).uom("%").thresholds(iwarn, icrit).bounds(0.0, 100.0),
                PerfData.of("free", freeBytes).uom("B").bounds(0.0, (double) fs.blocks() * fs.frsize())));
    }

    private static double percent(long part, long whole) {
        return whole <= 0 ? 0 : 100.0 * part / whole;
    }

    private static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }

    private static String human(long b) {
        double g = b / (double) (1L << 30);
        return g >= 1 ? String.format(Locale.ROOT, "%.1f GiB", g)
                : String.format(Locale.ROOT, "%.1f MiB", b / (double) (1 << 20));
    }

    @Override
    PluginResult timedOut() {
        return PluginResult.of(service(), Status.CRITICAL, directory + " did not answer within " + timeoutSeconds
                + " s");
    }
}
