package io.camelfs.exporters.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.camelfs.exporters.ExporterStartException;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves {@code GET /metrics} in the Prometheus text format: the camelfs collector plus the JVM's own metrics.
 * The JDK's HTTP server is enough for a scrape every few seconds; one thread, so a slow scraper cannot pile up work.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private MetricsServer(HttpServer server, MultiCollector camelfs) {
        this.server = server;
        registry.register(camelfs);
        JvmMetrics.builder().register(registry);
        server.createContext("/metrics", this::scrape);
        server.createContext("/", this::index);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "camelfs-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Binds host:port (0 picks a free port) or says in one line why it cannot. */
    public static MetricsServer start(String host, int port, MultiCollector camelfs) {
        try {
            return new MetricsServer(HttpServer.create(new InetSocketAddress(host, port), 16), camelfs);
        } catch (BindException e) {
            throw new ExporterStartException("metrics port " + port + " on " + host + " is already in use");
        } catch (IOException e) {
            throw new ExporterStartException("metrics cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void scrape(HttpExchange x) throws IOException {
        try (x) {
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                x.sendResponseHeaders(405, -1);
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(64 << 10);
            writer.write(body, registry.scrape());
            x.getResponseHeaders().set("Content-Type", writer.getContentType());
            boolean head = x.getRequestMethod().equals("HEAD");
            x.sendResponseHeaders(200, head ? -1 : body.size());
            if (!head) {
                try (OutputStream out = x.getResponseBody()) {
                    body.writeTo(out);
                }
            }
        }
    }

    private void index(HttpExchange x) throws IOException {
        try (x) {
            byte[] b = "camelfs metrics: see /metrics\n".getBytes(StandardCharsets.UTF_8);
            int status = x.getRequestURI().getPath().equals("/") ? 200 : 404;
            x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            x.sendResponseHeaders(status, b.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
