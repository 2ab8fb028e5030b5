package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A camelfs FUSE mount made with `camelfs mount` (a real background mount process), unmounted on close. */
final class Mounted implements AutoCloseable {
    final Path dir;
    final Path work;

    private Mounted(Path work, Path dir) {
        this.work = work;
        this.dir = dir;
    }

    static Mounted mount(Path work, String address, Path dir, String options) throws Exception {
        Files.createDirectories(dir);
        List<String> args = new ArrayList<>(List.of("mount"));
        if (options != null && !options.isEmpty()) {
            args.add("-o");
            args.add(options + ",log-file=" + work.resolve("mount-" + dir.getFileName() + ".log"));
        } else {
            args.add("-o");
            args.add("log-file=" + work.resolve("mount-" + dir.getFileName() + ".log"));
        }
        args.add(address);
        args.add(dir.toString());
        NodeProcess.Result r = NodeProcess.cli(work, Duration.ofSeconds(30), args.toArray(new String[0]));
        assertEquals(0, r.exit(), "mount failed: " + r.err());
        return new Mounted(work, dir);
    }

    /** A mount someone else made (mount -t camelfs, fstab), to unmount like one's own. */
    static Mounted adopt(Path work, Path dir) {
        return new Mounted(work, dir);
    }

    /** The pid of the process serving this mount. */
    long pid() throws Exception {
        Sh.Result r = Sh.run(work, Duration.ofSeconds(10), "pgrep -f -- '--foreground.* " + dir + "$'");
        return Long.parseLong(r.out().trim().split("\n")[0]);
    }

    static boolean isMounted(Path dir) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = l.split(" ");
            if (f.length > 2 && f[1].equals(dir.toString()) && f[2].equals("fuse.camelfs")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs a shell command against this mount. If it does not end in time, the mount's connection is aborted before
     * the failure is reported, to free the processes stuck on it (or the unmount at close would wait for them).
     */
    Sh.Result runFreeingStuck(Duration timeout, String command) throws Exception {
        try {
            return Sh.run(work, timeout, command);
        } catch (AssertionError hung) {
            abortConnection();
            throw hung;
        }
    }

    /**
     * Ends every request of this mount with ENOTCONN through the kernel's fusectl file system: what frees processes
     * stuck on a mount that stopped answering (its process may not even exit: a thread of it can be one of them).
     */
    void abortConnection() throws Exception {
        String dev = null;
        for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = l.split(" ");
            if (f.length > 4 && f[4].equals(dir.toString())) {
                dev = f[2];
            }
        }
        if (dev == null) {
            return;
        }
        int minor = Integer.parseInt(dev.substring(dev.indexOf(':') + 1));
        Sh.run(work, Duration.ofSeconds(20), "mountpoint -q /sys/fs/fuse/connections || mount -t fusectl none"
                + " /sys/fs/fuse/connections; echo 1 > /sys/fs/fuse/connections/" + minor + "/abort");
    }

    @Override
    public void close() throws Exception {
        if (isMounted(dir)) {
            Process p = new ProcessBuilder("fusermount", "-u", dir.toString()).inheritIO().start();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                new ProcessBuilder("umount", "-l", dir.toString()).inheritIO().start().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }
}
