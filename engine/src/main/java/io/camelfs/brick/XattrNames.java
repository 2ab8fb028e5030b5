package io.camelfs.brick;

/**
 * The extended attributes camelfs keeps on brick inodes. All live in the user. namespace, so a brick needs no
 * CAP_SYS_ADMIN; clients can neither see nor change them.
 */
public final class XattrNames {
    public static final String PREFIX = "user.camelfs.";
    /** 16-byte gfid of a regular file or directory. */
    public static final String GFID = PREFIX + "gfid";
    /** Name of the volume a brick root belongs to. */
    public static final String VOLUME = PREFIX + "volume";
    /** 12-byte dirty counters: an operation's outcome on the other bricks is not known. */
    public static final String DIRTY = PREFIX + "afr.dirty";
    /** Pending counters blaming one brick: user.camelfs.afr.VOLUME-client-INDEX, as GlusterFS names them. */
    public static final String PENDING_PREFIX = PREFIX + "afr.";
    static final String PROBE = PREFIX + "probe";

    private XattrNames() {
    }

    public static String pending(String volume, int brick) {
        return PENDING_PREFIX + volume + "-client-" + brick;
    }

    /** The brick index a pending attribute blames, or -1 when the name is not one of this volume's. */
    public static int pendingBrick(String volume, String name) {
        String prefix = PENDING_PREFIX + volume + "-client-";
        if (!name.startsWith(prefix)) {
            return -1;
        }
        try {
            return Integer.parseInt(name.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public static boolean isInternal(String name) {
        return name.startsWith(PREFIX);
    }
}
