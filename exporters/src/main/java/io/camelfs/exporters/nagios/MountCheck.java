package io.camelfs.exporters.nagios;

import io.camelfs.client.LocalHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A mount answers: it is in the mount table, stat works, and a probe file can be written, read back and
 * removed -- all within the timeout. A hung mount (its process stopped, a brick that never replies) makes the
 * probe block in the kernel; the check still answers CRITICAL at the deadline instead of hanging the host.
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
         description = {"OK: the probe file round trip worked within -w.",
             "WARNING: it took longer than -w seconds.",
             "CRITICAL: not mounted, an error (e.g. transport endpoint not connected), wrong content, slower than -c"
                 + " or no answer within -t."})
final class MountCheck extends PluginCheck {
    @Parameters(index = "0", paramLabel = "PATH", description = "the mountpoint")
    Path mountpoint;

    @Option(names = {"-w", "--warning"}, paramLabel = "RANGE", description = "probe seconds that warn (e.g. 1)")
    String warning;

    @Option(names = {"-c", "--critical"}, paramLabel = "RANGE", description = "probe seconds that are critical")
    String critical;

    private Range warn;
    private Range crit;

    @Override
    String service() {
        return "MOUNT";
    }

    @Override
    void validate() {
        warn = range(warning, "-w");
        crit = range(critical, "-c");
    }

    @Override
    PluginResult probe() throws IOException {
        Path abs = mountpoint.toAbsolutePath().normalize();
        String type = mountType(abs);
        if (type == null) {
            return PluginResult.of(service(), Status.CRITICAL, abs + " is not a mountpoint");
        }
        long start = System.nanoTime();
        byte[] content = ("check_camelfs probe " + ProcessHandle.current().pid() + " " + System.nanoTime() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Path probe = abs.resolve(".check_camelfs-" + LocalHost.name() + "-" + ProcessHandle.current().pid());
        try {
            if (!Files.isDirectory(abs)) {
                return PluginResult.of(service(), Status.CRITICAL, abs + " is not a directory");
            }
            Files.write(probe, content);
            byte[] back = Files.readAllBytes(probe);
            Files.delete(probe);
            if (!Arrays.equals(content, back)) {
                return PluginResult.of(service(), Status.CRITICAL, abs + ": the probe file read back "
                        + back.length + " bytes that differ from the " + content.length + " written");
            }
        } catch (IOException e) {
            return PluginResult.of(service(), Status.CRITICAL, abs + " (" + type + "): " + reason(e));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Status s = judge(seconds, warn, crit);
        return new PluginResult(service(), s, String.format(Locale.ROOT,
                "%s (%s) answered: probe written, read back and removed in %.3f s", abs, type, seconds),
                List.of(PerfData.of("time", Math.round(seconds * 1e6) / 1e6).uom("s").thresholds(warn, crit)
                        .bounds(0.0, null)));
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof FileSystemException f && f.getReason() != null) {
            m = f.getReason();
        }
        return m == null ? e.toString() : m;
    }

    /** The filesystem type mounted exactly at this path, from /proc/self/mounts (never touches the mount). */
    private static String mountType(Path p) throws IOException {
        String found = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 2 && unescape(f[1]).equals(p.toString())) {
                found = f[2]; // the last entry wins: mounts stack
            }
        }
        return found;
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    @Override
    PluginResult timedOut() {
        return PluginResult.of(service(), Status.CRITICAL, mountpoint.toAbsolutePath().normalize()
                + " did not answer within " + timeoutSeconds + " s: the mount is hung or stale");
    }
}
