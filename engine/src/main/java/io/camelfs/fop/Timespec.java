package io.camelfs.fop;

import java.time.Instant;

/** A file time with nanoseconds, as utimensat(2) takes it. */
public record Timespec(long sec, int nsec) implements Comparable<Timespec> {
    public static Timespec of(Instant i) {
        return new Timespec(i.getEpochSecond(), i.getNano());
    }

    public Instant toInstant() {
        return Instant.ofEpochSecond(sec, nsec);
    }

    @Override
    public int compareTo(Timespec o) {
        return sec != o.sec ? Long.compare(sec, o.sec) : Integer.compare(nsec, o.nsec);
    }

    @Override
    public String toString() {
        return toInstant().toString();
    }
}
