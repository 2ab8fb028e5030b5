package io.camelfs.fop;

/** statvfs(3) figures of a volume: for a replicated volume, those of its smallest brick. */
public record StatFs(long bsize, long frsize, long blocks, long bfree, long bavail, long files, long ffree,
        long favail, long fsid, long flag, long namemax) {
}
