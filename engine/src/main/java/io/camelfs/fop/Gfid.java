package io.camelfs.fop;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;

/** The 16-byte volume-wide identity of an inode, the same on every brick that holds it. */
public final class Gfid implements Comparable<Gfid> {
    public static final int LENGTH = 16;
    /** The volume root, like GlusterFS's 00000000-0000-0000-0000-000000000001. */
    public static final Gfid ROOT = new Gfid(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    private static final Random RANDOM = new SecureRandom();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final byte[] bytes;

    private Gfid(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Gfid random() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        b[6] = (byte) ((b[6] & 0x0f) | 0x40); // version 4, like GlusterFS's uuid_generate
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        return new Gfid(b);
    }

    /** The gfid stored in these bytes, or null when they are empty (an inode without one). */
    public static Gfid ofNullable(byte[] b) {
        if (b == null || b.length == 0) {
            return null;
        }
        if (b.length != LENGTH) {
            throw new IllegalArgumentException("gfid must be 16 bytes, got " + b.length);
        }
        return new Gfid(b.clone());
    }

    public static Gfid of(byte[] b) {
        Gfid g = ofNullable(b);
        if (g == null) {
            throw new IllegalArgumentException("gfid missing");
        }
        return g;
    }

    public static Gfid parse(String s) {
        String hex = s.replace("-", "");
        if (hex.length() != 32) {
            throw new IllegalArgumentException("not a gfid: " + s);
        }
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return new Gfid(b);
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** 32 hex digits, no dashes: used for index file names. */
    public String hex() {
        char[] c = new char[32];
        for (int i = 0; i < LENGTH; i++) {
            c[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
            c[2 * i + 1] = HEX[bytes[i] & 0xf];
        }
        return new String(c);
    }

    /** A stable 64-bit number for this inode, usable as an inode number by a mount. */
    public long asLong() {
        long v = 0;
        for (int i = 8; i < LENGTH; i++) {
            v = (v << 8) | (bytes[i] & 0xff);
        }
        return v;
    }

    @Override
    public int compareTo(Gfid o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Gfid && Arrays.equals(bytes, ((Gfid) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        String h = hex();
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20);
    }
}
