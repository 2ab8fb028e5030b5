package io.camelfs.volume;

/**
 * Who a client's user becomes on the bricks (NFS's and GlusterFS's server.root-squash): with root-squash uid 0, with
 * all-squash every uid, acts as anonuid/anongid -- it owns what it creates and the bricks check its permissions
 * like any other user's. Squash trusts the uid a client reports, as NFS's AUTH_SYS does: it stops root on a web
 * node from acting as root on the volume, not a hostile program that speaks the protocol (auth.allow and TLS do).
 */
public record Squash(Mode mode, int anonUid, int anonGid) {
    public enum Mode { NONE, ROOT, ALL }

    public static final Squash NONE = new Squash(Mode.NONE, 65534, 65534);

    /** Whether a caller with this uid is squashed. */
    public boolean applies(int uid) {
        return mode == Mode.ALL || (mode == Mode.ROOT && uid == 0);
    }
}
