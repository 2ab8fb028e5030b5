package io.camelfs.fop;

/** Who asks: the owner given to inodes the operation creates. */
public record Caller(int uid, int gid) {
    public static final Caller ROOT = new Caller(0, 0);
}
