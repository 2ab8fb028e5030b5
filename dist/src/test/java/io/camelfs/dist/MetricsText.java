package io.camelfs.dist;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A scrape of a node's /metrics, and the values in it. */
record MetricsText(String text) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static MetricsText scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /metrics on port " + port + " answered " + r.statusCode());
        }
        return new MetricsText(r.body());
    }

    /** Samples (not comments) of this exact metric name whose labels include every k=v pair given. */
    List<Double> values(String name, String... labels) {
        List<Double> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                all &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                out.add(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return out;
    }

    /** The one sample matching; fails when there is none or several. */
    double value(String name, String... labels) {
        List<Double> v = values(name, labels);
        if (v.size() != 1) {
            throw new AssertionError(v.size() + " samples of " + name + " " + String.join(",", labels) + " in:\n"
                    + text);
        }
        return v.get(0);
    }
}
