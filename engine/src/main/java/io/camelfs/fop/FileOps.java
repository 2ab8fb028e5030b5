package io.camelfs.fop;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The file operations (FOPs) of a volume, the one interface every layer speaks -- GlusterFS's translator model.
 * A layer implements it and usually passes each call on to the layer below; {@link #describe()} prints the stack.
 * Paths are volume-relative (see {@link VolumePath}); failures are {@link FopException}s carrying an errno.
 */
public interface FileOps extends AutoCloseable {

    /** This layer and the ones below it, one per line, top first. */
    String describe();

    /** The same operations performed on behalf of another caller (owner of created inodes). */
    FileOps as(Caller caller);

    Attr lookup(String path);

    /** Creates an empty regular file. Not exclusive: an existing regular file is opened instead (O_CREAT). */
    Attr create(String path, int mode, boolean exclusive);

    /**
     * Creates a regular file with the gfid its creator chose and its first bytes (at offset 0), in one round trip;
     * EEXIST if the name exists. A mount sends a new file this way once its first write arrives.
     */
    Attr create(String path, Gfid gfid, int mode, ByteBuffer data);

    /** Whole-file write: creates the file or replaces its content; the common case costs one round trip. */
    Attr put(String path, int mode, ByteBuffer data);

    Attr mkdir(String path, int mode);

    Attr mknod(String path, int mode, long rdev);

    Attr symlink(String target, String path);

    String readlink(String path);

    Attr link(String existing, String path);

    void unlink(String path);

    void rmdir(String path);

    /** flags: 0, {@link #RENAME_NOREPLACE} or {@link #RENAME_EXCHANGE}, as renameat2(2). */
    void rename(String from, String to, int flags);

    int RENAME_NOREPLACE = 1;
    int RENAME_EXCHANGE = 2;

    /** Up to length bytes from offset; fewer at end of file. The buffer is read-only. */
    default ByteBuffer read(String path, long offset, int length) {
        return read(path, null, offset, length);
    }

    /**
     * As {@link #read(String, long, int)}, of the file with gfid file (a descriptor's) when not null: ESTALE if the
     * path names another file now, never that file's bytes.
     */
    ByteBuffer read(String path, Gfid file, long offset, int length);

    /** Writes all of data at offset; returns the file's attributes just after (null if unknown). */
    default Attr write(String path, long offset, ByteBuffer data) {
        return write(path, null, offset, data);
    }

    /** As {@link #write(String, long, ByteBuffer)}, to the file with gfid file when not null (else ESTALE). */
    Attr write(String path, Gfid file, long offset, ByteBuffer data);

    default void truncate(String path, long size) {
        truncate(path, null, size);
    }

    /** As {@link #truncate(String, long)}, of the file with gfid file when not null (else ESTALE). */
    void truncate(String path, Gfid file, long size);

    void fsync(String path, boolean datasync);

    Attr setattr(String path, SetAttr changes);

    DirPage readdir(String path, long cookie, int maxEntries, boolean withAttrs);

    byte[] getxattr(String path, String name);

    /** flags: 0, XATTR_CREATE (1) or XATTR_REPLACE (2). */
    void setxattr(String path, String name, byte[] value, int flags);

    List<String> listxattr(String path);

    void removexattr(String path, String name);

    StatFs statfs(String path);

    default void fallocate(String path, int mode, long offset, long length) {
        fallocate(path, null, mode, offset, length);
    }

    /** As {@link #fallocate(String, int, long, long)}, of the file with gfid file when not null (else ESTALE). */
    void fallocate(String path, Gfid file, int mode, long offset, long length);

    LockResult lock(String path, LockRequest request);

    @Override
    void close();
}
