package io.camelfs.exporters.nagios;

import java.util.Locale;

/** One performance figure: {@code 'label'=value[UOM];warn;crit;min;max}, empty fields left empty. */
public record PerfData(String label, double value, String uom, Range warn, Range crit, Double min, Double max) {

    public static PerfData of(String label, double value) {
        return new PerfData(label, value, "", null, null, null, null);
    }

    public PerfData uom(String u) {
        return new PerfData(label, value, u, warn, crit, min, max);
    }

    public PerfData thresholds(Range w, Range c) {
        return new PerfData(label, value, uom, w, c, min, max);
    }

    public PerfData bounds(Double lo, Double hi) {
        return new PerfData(label, value, uom, warn, crit, lo, hi);
    }

    @Override
    public String toString() {
        return "'" + label.replace("'", "''") + "'=" + number(value) + uom + ";" + (warn == null ? "" : warn) + ";"
                + (crit == null ? "" : crit) + ";" + (min == null ? "" : number(min)) + ";"
                + (max == null ? "" : number(max));
    }

    private static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%.6f", d).replaceAll("0+$", "");
    }
}
