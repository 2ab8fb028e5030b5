package io.camelfs.posix;

import io.camelfs.fop.FileType;
import io.camelfs.fop.Timespec;
import jnr.ffi.Pointer;

/** What statx(2) returned for one inode; struct statx has the same layout on every architecture. */
public record Stat(int mode, int nlink, int uid, int gid, long ino, long size, long blocks, int blksize,
        Timespec atime, Timespec mtime, Timespec ctime, long rdev, long dev) {

    static Stat fromStatx(Pointer b) {
        int blksize = b.getInt(4);
        int nlink = b.getInt(16);
        int uid = b.getInt(20);
        int gid = b.getInt(24);
        int mode = b.getShort(28) & 0xffff;
        long ino = b.getLong(32);
        long size = b.getLong(40);
        long blocks = b.getLong(48);
        Timespec atime = new Timespec(b.getLong(64), b.getInt(72));
        Timespec ctime = new Timespec(b.getLong(96), b.getInt(104));
        Timespec mtime = new Timespec(b.getLong(112), b.getInt(120));
        long rdev = makedev(b.getInt(128), b.getInt(132));
        long dev = makedev(b.getInt(136), b.getInt(140));
        return new Stat(mode, nlink, uid, gid, ino, size, blocks, blksize, atime, mtime, ctime, rdev, dev);
    }

    /** glibc's makedev encoding, which mknod(2) expects. */
    public static long makedev(int major, int minor) {
        long maj = major & 0xffffffffL;
        long min = minor & 0xffffffffL;
        return ((maj & 0x00000fffL) << 8) | ((maj & 0xfffff000L) << 32) | (min & 0x000000ffL)
                | ((min & 0xffffff00L) << 12);
    }

    public int type() {
        return mode & FileType.S_IFMT;
    }

    public boolean isDirectory() {
        return type() == FileType.DIRECTORY.bits();
    }

    public boolean isRegular() {
        return type() == FileType.REGULAR.bits();
    }
}
