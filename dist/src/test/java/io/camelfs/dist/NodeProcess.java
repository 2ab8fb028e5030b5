package io.camelfs.dist;

import io.camelfs.testing.LocalVolume;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A camelfs node or CLI command in its own JVM, started exactly as bin/camelfs starts it (same class path, same
 * entry point), so kill -9 is a real kill of a real process.
 */
final class NodeProcess implements AutoCloseable {
    static final Path LIB = Path.of(System.getProperty("camelfs.lib", "target/lib")).toAbsolutePath();
    static final Path HOME = Path.of(System.getProperty("camelfs.home", "..")).toAbsolutePath().normalize();

    final String name;
    final Path log;
    private final Process process;
    /** Where this process's output starts in the log (a restarted node appends to its predecessor's). */
    private final long logStart;

    private NodeProcess(String name, Path log, Process process, long logStart) {
        this.name = name;
        this.log = log;
        this.process = process;
        this.logStart = logStart;
    }

    static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1"); // as bin/camelfs starts nodes and commands
        String extra = System.getProperty("camelfs.test.nodeJvmArgs", "");
        if (!extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+"))); // e.g. a log level while chasing a failure
        }
        cmd.add("-cp");
        cmd.add(LIB + "/*");
        cmd.add("io.camelfs.cli.Main");
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts `camelfs run yaml` in workDir and waits until the node reports it started. */
    static NodeProcess start(String name, Path workDir, Path... yaml) throws IOException, InterruptedException {
        NodeProcess n = launch(name, workDir, yaml);
        n.awaitLog("camelfs node started", Duration.ofSeconds(30));
        return n;
    }

    static NodeProcess launch(String name, Path workDir, Path... yaml) throws IOException {
        List<String> args = new ArrayList<>();
        args.add("run");
        for (Path y : yaml) {
            args.add(y.toString());
        }
        Path log = workDir.resolve(name + ".log");
        long start = Files.exists(log) ? Files.size(log) : 0;
        Process p = new ProcessBuilder(java(args.toArray(new String[0]))).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new NodeProcess(name, log, p, start);
    }

    /** What this process has logged so far. */
    String log() {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(logStart, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    void awaitLog(String text, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited (" + process.exitValue() + ") before logging '" + text
                        + "':\n" + log());
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(name + " did not log '" + text + "' within " + timeout + ":\n" + log());
            }
            Thread.sleep(50);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed by the JVM. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait for the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    /**
     * Sends a signal with kill(1). STOP and CONT return only once every thread of the process is seen stopped (or
     * none is): a busy machine may take a moment, and a test that went on meanwhile would see the brick answer.
     */
    void signal(String sig) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + sig + " " + process.pid() + " did not succeed");
        }
        if (!sig.equals("STOP") && !sig.equals("CONT")) {
            return;
        }
        boolean stop = sig.equals("STOP");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (allThreadsStopped() != stop) {
            if (System.nanoTime() > end) {
                throw new AssertionError(name + " is not " + (stop ? "stopped" : "running") + " 10 s after SIG" + sig);
            }
            Thread.sleep(5);
        }
    }

    private boolean allThreadsStopped() throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat = Files.readString(t.resolve("stat"));
                // the state follows the command name in parentheses, which may itself contain ')'
                if (stat.charAt(stat.lastIndexOf(')') + 2) != 'T') {
                    return false;
                }
            }
            return true;
        } catch (java.nio.file.NoSuchFileException threadEnded) {
            return false; // a thread ended while we looked: look again
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** What a CLI command printed and returned. */
    record Result(int exit, String out, String err) {
        String lastErrLine() {
            String[] lines = err.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    /** Runs `camelfs args...` to completion (bounded by timeout). */
    static Result cli(Path workDir, Duration timeout, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "cli", ".out");
        Path err = Files.createTempFile(workDir, "cli", ".err");
        Process p = new ProcessBuilder(java(args)).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("camelfs " + String.join(" ", args) + " did not finish within " + timeout);
        }
        // ISO-8859-1 maps every byte to one char, so binary output (cat) survives the round trip
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    static int freePort() throws IOException {
        return LocalVolume.freePort();
    }

    /** YAML for a node's monitoring bean (io.camelfs.exporters.Monitoring); properties: its lines, 8 spaces in. */
    static String monitoringBean(String properties) {
        return "- beans:\n    - name: monitoring\n      type: io.camelfs.exporters.Monitoring\n      properties:\n"
                + properties;
    }

    /** The node files of a volume named name with one brick per node, written to dir. */
    static List<Path> writeNodes(Path dir, String volume, int replica, String options) throws IOException {
        return writeNodes(dir, volume, replica, options, "");
    }

    /**
     * The same, each node file ending with extra YAML (more routes); in it, NODE stands for the node's number.
     */
    static List<Path> writeNodes(Path dir, String volume, int replica, String options, String extra)
            throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < replica; i++) {
            ports.add(freePort());
        }
        StringBuilder bricks = new StringBuilder();
        for (int p : ports) {
            bricks.append(bricks.length() > 0 ? "," : "").append("127.0.0.1:").append(p);
        }
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < replica; i++) {
            String yaml = "- beans:\n"
                    + "    - name: " + volume + "\n"
                    + "      type: io.camelfs.volume.VolumeDefinition\n"
                    + "      properties:\n"
                    + "        replica: " + replica + "\n"
                    + "        bricks: " + bricks + "\n"
                    + (options.isEmpty() ? "" : "        options:\n" + options)
                    + "- route:\n"
                    + "    id: brick-" + (i + 1) + "\n"
                    + "    from:\n"
                    + "      uri: brick:" + volume + "\n"
                    + "      parameters:\n"
                    + "        directory: data/brick" + (i + 1) + "\n"
                    + "        port: " + ports.get(i) + "\n"
                    + "        createDirectory: true\n"
                    + "      steps:\n"
                    + "        - log: \"${body}\"\n"
                    + extra.replace("NODE", Integer.toString(i + 1));
            Path f = dir.resolve("node" + (i + 1) + ".yaml");
            Files.writeString(f, yaml);
            files.add(f);
        }
        return files;
    }

    static int port(Path nodeYaml) throws IOException {
        for (String line : Files.readAllLines(nodeYaml)) {
            if (line.trim().startsWith("port:")) {
                return Integer.parseInt(line.trim().substring(5).trim());
            }
        }
        throw new IllegalArgumentException("no port in " + nodeYaml);
    }
}
