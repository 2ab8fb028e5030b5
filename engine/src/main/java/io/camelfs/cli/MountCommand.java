package io.camelfs.cli;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.mount.MountDaemon;
import io.camelfs.mount.MountOptions;
import io.camelfs.mount.Mounts;
import io.camelfs.protocol.VolumeFetcher;
import io.camelfs.volume.VolumeAddress;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mount", description = "Mount a volume with FUSE; returns once the mount is usable. The mount stays"
        + " until umount / fusermount -u or SIGTERM to its process.")
final class MountCommand implements Callable<Integer> {
    /** How long a mount may take before it is given up, unreachable servers included. */
    static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "-o", paramLabel = "OPTIONS", description = "backup-servers=H:P,..., ro, allow_other,"
            + " default_permissions, attr-timeout=S, entry-timeout=S, negative-timeout=S, nonempty, log-file=PATH")
    List<String> options = new ArrayList<>();
    @Option(names = "--foreground", description = "serve the mount in this process (what the background"
            + " process runs)")
    boolean foreground;
    @Parameters(index = "0", paramLabel = "HOST:PORT:/VOLUME")
    String target;
    @Parameters(index = "1", paramLabel = "MOUNTPOINT")
    Path mountpoint;

    @Override
    public Integer call() throws Exception {
        VolumeAddress address = VolumeAddress.parse(target);
        if (!address.path().isEmpty()) {
            throw new IllegalArgumentException("'" + target + "': mount a whole volume (HOST:PORT:/VOLUME), not a"
                    + " path in it");
        }
        MountOptions opts = MountOptions.parse(String.join(",", options));
        Path mp = mountpoint.toAbsolutePath().normalize();
        if (foreground) {
            return MountDaemon.run(address, mp, opts);
        }
        checkMountpoint(mp, opts);
        // ask a server for the volume first: an unknown volume or dead server fails here, in one line
        VolumeFetcher.fetch(address.server(), opts.backupServers(), address.volume(), Duration.ofSeconds(4),
                opts.transport());
        return spawn(address, mp, opts);
    }

    static void checkMountpoint(Path mp, MountOptions opts) throws IOException {
        if (!Files.exists(mp)) {
            throw new FopException(Errno.ENOENT, "mountpoint " + mp + " does not exist");
        }
        if (!Files.isDirectory(mp)) {
            throw new FopException(Errno.ENOTDIR, "mountpoint " + mp + " is not a directory");
        }
        String type = Mounts.typeAt(mp);
        if (type != null) {
            throw new FopException(Errno.EBUSY, "mountpoint " + mp + " is already mounted (" + type
                    + "); umount it first");
        }
        if (!opts.nonEmpty()) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(mp)) {
                if (ds.iterator().hasNext()) {
                    throw new FopException(Errno.ENOTEMPTY, "mountpoint " + mp + " is not empty (its files would"
                            + " be hidden; use -o nonempty to mount anyway)");
                }
            }
        }
    }

    private static Path logFile(Path mp, MountOptions opts) throws IOException {
        if (opts.logFile() != null) {
            return Path.of(opts.logFile());
        }
        Path dir = Files.isWritable(Path.of("/var/log")) ? Path.of("/var/log/camelfs")
                : Path.of(System.getProperty("java.io.tmpdir"), "camelfs-logs");
        Files.createDirectories(dir);
        String name = mp.toString().replace('/', '-').replaceAll("^-+", "");
        return dir.resolve("mount-" + (name.isEmpty() ? "root" : name) + ".log");
    }

    /** Starts the mount process in its own session and waits until the kernel shows the mount, or it fails. */
    private static int spawn(VolumeAddress address, Path mp, MountOptions opts) throws Exception {
        Path log = logFile(mp, opts);
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            cmd.add("/usr/bin/setsid"); // no controlling terminal: the mount outlives the shell that made it
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the heap starts small and grows only for a large working set: started at its maximum (the JVM's default
        // on a machine with 10 GiB or more), all of it was soon touched and the mount's RSS reached 170-260 MiB
        // under the benchmark, for about 20 MiB of live objects
        cmd.add("-Xms48m");
        cmd.add("-Xmx160m");
        cmd.add("-XX:MaxMetaspaceSize=96m");
        cmd.add("-XX:ReservedCodeCacheSize=48m");
        cmd.add("-Xss512k");
        cmd.add("-XX:+UseSerialGC");
        // half C2's default node budget: the mount's peak RSS spiked by 80-130 MiB in about one benchmark in seven,
        // once caught while C2 compiled Replicate.attempts with two malloc arenas at 60 MiB each; with the limit, eight
        // in a row peaked at 140-182 MiB and the small-file figures did not drop
        cmd.add("-XX:MaxNodeLimit=40000");
        cmd.addAll(nativeHeapTrim(Runtime.version()));
        cmd.add("-Dfile.encoding=UTF-8");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add("mount");
        cmd.add("--foreground");
        cmd.add("-o");
        cmd.add(opts.render());
        cmd.add(address.toString());
        cmd.add(mp.toString());
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        long deadline = System.nanoTime() + MOUNT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if ("fuse.camelfs".equals(Mounts.typeAt(mp))) {
                return 0;
            }
            if (p.waitFor(50, TimeUnit.MILLISECONDS)) {
                throw new FopException(Errno.EIO, "mount of " + address + " on " + mp + " failed: "
                        + lastError(log, logStart));
            }
        }
        p.destroyForcibly();
        throw new FopException(Errno.ETIMEDOUT, "mount of " + address + " on " + mp + " did not come up within "
                + MOUNT_TIMEOUT.toSeconds() + " s (see " + log + ")");
    }

    /**
     * Memory that native code (libfuse's worker threads, the JIT, jnr) frees stays in glibc's per-thread arenas
     * and counts as RSS: the mount's peak RSS under bench/mount.sh was 165-194 MiB with the heap never past 47 MiB
     * (once 289 MiB), and 127-139 MiB with the JVM trimming the C heap every second. The switch exists from 17.0.9
     * and 21.0.1 on (experimental there); other JVMs start without it.
     */
    static List<String> nativeHeapTrim(Runtime.Version v) {
        boolean has = v.feature() >= 22 || v.feature() == 21 && v.update() >= 1
                || v.feature() == 17 && v.update() >= 9;
        return has ? List.of("-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=1000") : List.of();
    }

    /** The mount process's own one-line reason, from what it wrote to its log this time. */
    private static String lastError(Path log, long from) {
        try {
            byte[] all = Files.readAllBytes(log);
            String text = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    StandardCharsets.UTF_8);
            String last = "see " + log;
            for (String l : text.split("\n")) {
                if (l.startsWith("camelfs: ")) {
                    last = l.substring(9);
                } else if (l.contains("fuse: ")) {
                    last = l.substring(l.indexOf("fuse: "));
                }
            }
            return last;
        } catch (IOException e) {
            return "see " + log;
        }
    }
}
