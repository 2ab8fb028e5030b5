package io.camelfs.fop;

/**
 * Which attributes a setattr changes. Null fields are left alone; a null time with the matching "now" flag set
 * means the brick's current time (utimensat's UTIME_NOW).
 */
public record SetAttr(Integer mode, Integer uid, Integer gid, Long size, Timespec atime, Timespec mtime,
        boolean atimeNow, boolean mtimeNow) {
    public static final int MODE = 1;
    public static final int UID = 2;
    public static final int GID = 4;
    public static final int SIZE = 8;
    public static final int ATIME = 16;
    public static final int MTIME = 32;
    public static final int ATIME_NOW = 64;
    public static final int MTIME_NOW = 128;

    public static SetAttr mode(int mode) {
        return new SetAttr(mode, null, null, null, null, null, false, false);
    }

    public static SetAttr owner(Integer uid, Integer gid) {
        return new SetAttr(null, uid, gid, null, null, null, false, false);
    }

    public static SetAttr times(Timespec atime, Timespec mtime) {
        return new SetAttr(null, null, null, null, atime, mtime, false, false);
    }

    public int valid() {
        int v = 0;
        if (mode != null) {
            v |= MODE;
        }
        if (uid != null) {
            v |= UID;
        }
        if (gid != null) {
            v |= GID;
        }
        if (size != null) {
            v |= SIZE;
        }
        if (atime != null) {
            v |= ATIME;
        }
        if (mtime != null) {
            v |= MTIME;
        }
        if (atimeNow) {
            v |= ATIME_NOW;
        }
        if (mtimeNow) {
            v |= MTIME_NOW;
        }
        return v;
    }

    /** Only the size changes: this is a data operation (truncate), everything else is metadata. */
    public boolean onlySize() {
        return valid() == SIZE;
    }
}
