package io.camelfs.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * A camelfs node: a Camel Main application running the given YAML DSL files, whose routes declare the node's
 * bricks, volumes and integrations. Runs until SIGTERM (or Ctrl-C), then shuts down cleanly.
 */
public final class NodeRuntime {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeRuntime.class);
    /** The file run when none is given: a replica-2 volume in one process. */
    public static final String EMBEDDED_DEFAULT = "quickstart.yaml";
    private static final int SHUTDOWN_TIMEOUT_SECONDS = 10;

    private NodeRuntime() {
    }

    /** Starts the node and blocks until it is stopped; returns the process exit code. */
    public static int run(List<String> files, PrintStream err) {
        List<Path> paths = new ArrayList<>();
        try {
            if (files.isEmpty()) {
                paths.add(embeddedDefault());
            } else {
                for (String f : files) {
                    paths.add(Path.of(f).toAbsolutePath().normalize());
                }
            }
            NodeFileCheck.check(paths);
        } catch (NodeFileCheck.Problem | IOException e) {
            err.println("camelfs: " + e.getMessage());
            return 2;
        }
        StringJoiner include = new StringJoiner(",");
        for (Path p : paths) {
            include.add("file:" + p);
        }
        Main main = new Main();
        main.configure().withName("camelfs").withRoutesIncludePattern(include.toString())
                .withShutdownTimeout(SHUTDOWN_TIMEOUT_SECONDS).withJmxEnabled(true).withDumpRoutes(null);
        CountDownLatch started = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(org.apache.camel.main.BaseMainSupport m) {
                started.countDown();
                var ctx = m.getCamelContext();
                StringJoiner routes = new StringJoiner(", ");
                ctx.getRoutes().forEach(r -> routes.add(r.getRouteId() + " (" + r.getEndpoint().getEndpointUri()
                        + ")"));
                LOG.info("camelfs node started from {}: {} routes: {}", paths, ctx.getRoutes().size(), routes);
            }

            @Override
            public void afterStop(org.apache.camel.main.BaseMainSupport m) {
                LOG.info("camelfs node stopped");
            }
        });
        // Camel's own SIGTERM hook returns once the context has stopped, and the JVM halts when its hooks return:
        // that can be before Main's stop listeners have run on this thread. This hook holds the exit until they have.
        CountDownLatch finished = new CountDownLatch(1);
        Thread waitForStop = new Thread(() -> {
            try {
                finished.await(SHUTDOWN_TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "camelfs-await-stop");
        Runtime.getRuntime().addShutdownHook(waitForStop);
        try {
            main.run();
        } catch (Exception e) {
            failure[0] = e;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(waitForStop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and returns at once now
            }
        }
        if (failure[0] == null && main.getExitCode() != 0 && started.getCount() > 0) {
            failure[0] = new IllegalStateException("the node did not start (exit code " + main.getExitCode() + ")");
        }
        if (failure[0] != null) {
            err.println("camelfs: " + reason(failure[0]));
            return 1;
        }
        return main.getExitCode();
    }

    /** The deepest message in a Camel startup failure: that is the one that names what is wrong. */
    public static String reason(Throwable t) {
        Throwable best = t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                best = c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        String m = best.getMessage() == null ? best.toString() : best.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }

    /** The quickstart shipped in the jar, copied to a temporary file so Camel can load it like any other. */
    static Path embeddedDefault() throws IOException {
        try (InputStream in = NodeRuntime.class.getResourceAsStream("/" + EMBEDDED_DEFAULT)) {
            if (in == null) {
                throw new IOException("the embedded " + EMBEDDED_DEFAULT + " is missing from the classpath; pass a"
                        + " YAML file, e.g. bin/camelfs run examples/yaml/quickstart.yaml");
            }
            Path tmp = Files.createTempFile("camelfs-", "-" + EMBEDDED_DEFAULT);
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        }
    }
}
