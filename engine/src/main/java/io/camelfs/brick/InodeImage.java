package io.camelfs.brick;

import io.camelfs.fop.Timespec;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What self-heal copies from a source inode besides its data: type and permission bits, owner, device number,
 * times, symlink target and user xattrs (without camelfs's own). A sink given an image looks exactly like the
 * source, except for ctime, which no one can set.
 *
 * @param xattrs null when the inode cannot carry user xattrs (symlinks, fifos, sockets, devices)
 */
public record InodeImage(int mode, int uid, int gid, long rdev, Timespec atime, Timespec mtime, String target,
        Map<String, byte[]> xattrs) {
    public InodeImage {
        xattrs = xattrs == null ? null : Collections.unmodifiableMap(new TreeMap<>(xattrs));
    }
}
