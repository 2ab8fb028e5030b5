package io.camelfs.fop;

/** Attributes of one inode, as stat(2) reports them, plus its gfid (null when it has none yet). */
public record Attr(Gfid gfid, int mode, int nlink, int uid, int gid, long rdev, long size, long blocks, int blksize,
        long ino, Timespec atime, Timespec mtime, Timespec ctime) {

    public FileType type() {
        return FileType.ofMode(mode);
    }

    public int permissions() {
        return mode & 07777;
    }

    public boolean isDirectory() {
        return type() == FileType.DIRECTORY;
    }

    public boolean isRegular() {
        return type() == FileType.REGULAR;
    }

    /** A file with more than one name (hard links); a directory's link count counts its subdirectories instead. */
    public boolean hasOtherNames() {
        return nlink > 1 && !isDirectory();
    }
}
