package io.camelfs.protocol;

import io.camelfs.fop.Gfid;

/**
 * The lease keys clients and bricks speak of: one format for the replicate layer, self-heal, the bricks' lease
 * table and the mount's caches.
 */
public final class LeaseKeys {
    /** An inode's data and metadata: "i:GFID". */
    public static final String INODE = "i:";
    /** A name in a directory: "e:PATH". */
    public static final String ENTRY = "e:";
    /** A directory's listing: its holder answers lookups of names it knows are absent. "n:" is the root's. */
    public static final String LISTING = "n:";
    /** Cleared, never held: a directory's listing key and those of every directory below it. */
    public static final String SUBTREE = "N:";

    private LeaseKeys() {
    }

    public static String inode(Gfid g) {
        return INODE + g.hex();
    }

    public static String entry(String path) {
        return ENTRY + path;
    }

    public static String listing(String dir) {
        return LISTING + dir;
    }

    public static String subtree(String dir) {
        return SUBTREE + dir;
    }

    /** The inode an "i:" key names, or null for any other key. */
    public static Gfid inodeOf(String key) {
        return key.startsWith(INODE) ? Gfid.parse(key.substring(INODE.length())) : null;
    }

    /** The directory a listing key names, or null for any other key. */
    public static String listingOf(String key) {
        return key.startsWith(LISTING) ? key.substring(LISTING.length()) : null;
    }

    /** The listing key k belongs to dir's subtree (a subtree key): dir's own key or one below it. */
    public static boolean inSubtree(String k, String subtreeKey) {
        String dir = LISTING + subtreeKey.substring(SUBTREE.length());
        return k.equals(dir) || k.startsWith(dir) && (dir.equals(LISTING) || k.charAt(dir.length()) == '/');
    }
}
