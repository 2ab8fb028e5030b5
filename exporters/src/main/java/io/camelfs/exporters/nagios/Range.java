package io.camelfs.exporters.nagios;

/**
 * A threshold range in the Monitoring Plugins syntax: {@code 10} alerts outside 0..10, {@code 10:} below 10,
 * {@code ~:10} above 10, {@code 10:20} outside 10..20, and a leading {@code @} inverts: {@code @10:20} alerts
 * inside 10..20. Ends are inclusive.
 */
public record Range(double start, double end, boolean inside, String text) {

    /** Parses a range; a malformed one gets an exception whose message names it. */
    public static Range parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty threshold range");
        }
        String t = text.trim();
        boolean inside = t.startsWith("@");
        if (inside) {
            t = t.substring(1);
        }
        double start;
        double end;
        int colon = t.indexOf(':');
        try {
            if (colon < 0) {
                start = 0;
                end = number(t, text);
            } else {
                String s = t.substring(0, colon);
                String e = t.substring(colon + 1);
                start = s.equals("~") ? Double.NEGATIVE_INFINITY : s.isEmpty() ? 0 : number(s, text);
                end = e.isEmpty() ? Double.POSITIVE_INFINITY : number(e, text);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("threshold range '" + text + "' is not N, N:, ~:N, N:M or @N:M");
        }
        if (start > end) {
            throw new IllegalArgumentException("threshold range '" + text + "' starts after it ends");
        }
        return new Range(start, end, inside, text.trim());
    }

    private static double number(String s, String whole) {
        if (s.isEmpty() || s.contains(":") || s.contains("~")) {
            throw new NumberFormatException(whole);
        }
        double d = Double.parseDouble(s);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new NumberFormatException(whole);
        }
        return d;
    }

    /** Does this value raise the alert? */
    public boolean alerts(double value) {
        boolean within = value >= start && value <= end;
        return inside == within;
    }

    @Override
    public String toString() {
        return text;
    }
}
