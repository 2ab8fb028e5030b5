package io.camelfs.exporters.nagios;

import java.util.List;

/** What a check prints: one status line, then its exit code. */
public record PluginResult(String service, Status status, String summary, List<PerfData> perf) {

    public PluginResult {
        perf = List.copyOf(perf);
        summary = summary.replaceAll("[\\r\\n|]+", " ").trim(); // '|' would start perfdata
    }

    public static PluginResult of(String service, Status status, String summary) {
        return new PluginResult(service, status, summary, List.of());
    }

    /** "CAMELFS VOLUME OK - summary | 'a'=1;;;; 'b'=2;;;;" */
    public String line() {
        StringBuilder sb = new StringBuilder("CAMELFS ").append(service).append(' ').append(status.name())
                .append(" - ").append(summary);
        if (!perf.isEmpty()) {
            sb.append(" |");
            perf.forEach(p -> sb.append(' ').append(p));
        }
        return sb.toString();
    }
}
