package io.camelfs.afr;

import java.nio.ByteBuffer;

/**
 * One triple of AFR changelog counters: pending data, metadata and entry operations. Stored big-endian in 12 bytes,
 * the layout GlusterFS uses for trusted.afr.* so the values read the same in getfattr -e hex.
 */
public record Counters(int data, int metadata, int entry) {
    public static final Counters ZERO = new Counters(0, 0, 0);
    public static final int BYTES = 12;

    public static final int DATA = 1;
    public static final int METADATA = 2;
    public static final int ENTRY = 4;

    public static Counters decode(byte[] b) {
        if (b == null || b.length < BYTES) {
            return ZERO;
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new Counters(bb.getInt(), bb.getInt(), bb.getInt());
    }

    public byte[] encode() {
        return ByteBuffer.allocate(BYTES).putInt(data).putInt(metadata).putInt(entry).array();
    }

    /** Kinds is a bit set of DATA, METADATA, ENTRY. */
    public Counters plus(int kinds) {
        return new Counters(data + ((kinds & DATA) != 0 ? 1 : 0), metadata + ((kinds & METADATA) != 0 ? 1 : 0),
                entry + ((kinds & ENTRY) != 0 ? 1 : 0));
    }

    public Counters minus(Counters o) {
        return new Counters(Math.max(0, data - o.data), Math.max(0, metadata - o.metadata),
                Math.max(0, entry - o.entry));
    }

    public boolean isZero() {
        return data == 0 && metadata == 0 && entry == 0;
    }

    /** The kinds with a non-zero counter. */
    public int kinds() {
        return (data != 0 ? DATA : 0) | (metadata != 0 ? METADATA : 0) | (entry != 0 ? ENTRY : 0);
    }

    public boolean has(int kind) {
        return (kinds() & kind) != 0;
    }

    public static String kindNames(int kinds) {
        StringBuilder sb = new StringBuilder();
        if ((kinds & DATA) != 0) {
            sb.append("data");
        }
        if ((kinds & METADATA) != 0) {
            sb.append(sb.length() > 0 ? "," : "").append("metadata");
        }
        if ((kinds & ENTRY) != 0) {
            sb.append(sb.length() > 0 ? "," : "").append("entry");
        }
        return sb.toString();
    }
}
