package io.camelfs.posix;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.StatFs;
import io.camelfs.fop.Timespec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Thin, errno-checked wrappers over {@link LibC}. Every failure becomes a {@link FopException} with the errno the
 * kernel returned, so the brick reports exactly what its filesystem said.
 */
public final class Posix {
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_EMPTY_PATH = 0x1000;

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    /** The bits of open's flags that say read, write or both. */
    public static final int O_ACCMODE = 03;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_NOCTTY = 0400;
    public static final int O_DIRECTORY;
    public static final int O_NOFOLLOW;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;
    /** Reads do not update atime (the brick's copies must not drift apart by who read what); owner or root only. */
    public static final int O_NOATIME = 01000000;

    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;

    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;

    public static final int RENAME_NOREPLACE = 1;
    public static final int RENAME_EXCHANGE = 2;

    private static final long SYS_OPENAT2 = 437; // same number on every architecture (unified table)
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    static final LibC C;
    static final Runtime RUNTIME;
    /** Per-thread scratch memory for small structs, so hot paths do not allocate native memory. */
    private static final ThreadLocal<Pointer> SCRATCH = ThreadLocal.withInitial(() -> Memory.allocateDirect(Posix.RUNTIME, 256));

    static {
        String arch = System.getProperty("os.arch");
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            O_DIRECTORY = 040000;
            O_NOFOLLOW = 0100000;
        } else {
            O_DIRECTORY = 0200000;
            O_NOFOLLOW = 0400000;
        }
        C = LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, true).load("c");
        RUNTIME = Runtime.getRuntime(C);
    }

    private Posix() {
    }

    public static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    static int errno() {
        return RUNTIME.getLastError();
    }

    private static FopException fail(String what, String path) {
        int e = errno();
        return new FopException(e, (path == null ? "" : path + ": ") + Errno.describe(e) + " (" + what + ")");
    }

    private static int check(int r, String what, String path) {
        if (r < 0) {
            throw fail(what, path);
        }
        return r;
    }

    private static long check(long r, String what, String path) {
        if (r < 0) {
            throw fail(what, path);
        }
        return r;
    }

    /** openat2(2) with a resolve mask: the kernel guarantees the result lies beneath dirfd. */
    public static int openat2(int dirfd, String path, int flags, int mode, long resolve) {
        Pointer how = SCRATCH.get();
        how.putLong(0, flags & 0xffffffffL);
        how.putLong(8, mode);
        how.putLong(16, resolve);
        for (;;) {
            long r = C.syscall(SYS_OPENAT2, dirfd, cstr(path), how, 24);
            if (r >= 0) {
                return (int) r;
            }
            if (errno() != Errno.EAGAIN) {
                throw fail("openat2", path);
            }
            // EAGAIN: a concurrent rename raced the resolution; the kernel asks us to retry
        }
    }

    public static int openat(int dirfd, String name, int flags, int mode) {
        return check(C.openat(dirfd, cstr(name), flags | O_CLOEXEC, mode), "open", name);
    }

    /** openat returning -errno instead of throwing, for hot paths that expect a failure (EEXIST, ENOENT). */
    public static int tryOpenat(int dirfd, String name, int flags, int mode) {
        int fd = C.openat(dirfd, cstr(name), flags | O_CLOEXEC, mode);
        return fd >= 0 ? fd : -errno();
    }

    /** writev of count iovecs at iov, returning the bytes written or -errno instead of throwing. */
    public static long tryWritev(int fd, Pointer iov, int count) {
        long n = C.writev(fd, iov, count);
        return n >= 0 ? n : -errno();
    }

    public static void close(int fd) {
        if (fd >= 0) {
            C.close(fd);
        }
    }

    public static int pread(int fd, Pointer buf, int count, long offset) {
        return (int) check(C.pread(fd, buf, count, offset), "read", null);
    }

    public static int pread(int fd, byte[] buf, int count, long offset) {
        return (int) check(C.pread(fd, buf, count, offset), "read", null);
    }

    public static void pwriteFully(int fd, byte[] buf, int len, long offset) {
        pwriteFully(fd, ByteBuffer.wrap(buf, 0, len), offset);
    }

    /**
     * Heap bytes reach the kernel through this thread's native buffer, one copy. Pinning the array instead saves
     * that copy but holds off the JVM's garbage collection for as long as the write blocks, and a write into the
     * page cache can block for seconds when the kernel throttles dirty pages.
     */
    private static final ThreadLocal<ByteBuffer> WRITE_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(128 << 10));

    /** Writes the buffer's remaining bytes at offset; the buffer's position is left as it was. */
    public static void pwriteFully(int fd, ByteBuffer buf, long offset) {
        ByteBuffer rest = buf.duplicate();
        ByteBuffer through = rest.isDirect() ? null : WRITE_BUFFER.get();
        while (rest.hasRemaining()) {
            ByteBuffer out = rest;
            if (through != null) {
                int n = Math.min(through.capacity(), rest.remaining());
                through.clear().put(0, rest, rest.position(), n).limit(n);
                out = through;
            }
            long n = check(C.pwrite(fd, out, out.remaining(), offset), "write", null);
            rest.position(rest.position() + (int) n);
            offset += n;
        }
    }

    public static void ftruncate(int fd, long size) {
        check(C.ftruncate(fd, size), "truncate", null);
    }

    public static void fsync(int fd, boolean datasync) {
        check(datasync ? C.fdatasync(fd) : C.fsync(fd), "fsync", null);
    }

    /**
     * Flushes the whole filesystem holding fd. After many small writes one syncfs costs a fraction of an fsync per
     * file: ext4 allocates delayed blocks at writeback, so each fsync commits its own journal transaction.
     */
    public static void syncfs(int fd) {
        check(C.syncfs(fd), "syncfs", null);
    }

    /** sync_file_range's flag: start writeback of the range's dirty pages, do not wait for it. */
    private static final int SYNC_FILE_RANGE_WRITE = 2;

    /**
     * Starts writing the range's dirty pages to disk and returns without waiting: a later fsync then finds them
     * written or on their way. Advice only: where the filesystem cannot do it, nothing is lost but the head start.
     */
    public static void startWriteback(int fd, long offset, long length) {
        C.sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
    }

    public static void fallocate(int fd, int mode, long offset, long length) {
        check(C.fallocate(fd, mode, offset, length), "fallocate", null);
    }

    /** statx of name under dirfd without following a final symlink; name "" means dirfd itself. */
    public static Stat statx(int dirfd, String name) {
        Pointer buf = SCRATCH.get();
        int flags = AT_SYMLINK_NOFOLLOW | (name.isEmpty() ? AT_EMPTY_PATH : 0);
        check(C.statx(dirfd, cstr(name), flags, 0x7ff, buf), "stat", name);
        return Stat.fromStatx(buf);
    }

    /** Like statx, but null when the name does not exist. */
    public static Stat statxOrNull(int dirfd, String name) {
        Pointer buf = SCRATCH.get();
        int flags = AT_SYMLINK_NOFOLLOW | (name.isEmpty() ? AT_EMPTY_PATH : 0);
        if (C.statx(dirfd, cstr(name), flags, 0x7ff, buf) < 0) {
            if (errno() == Errno.ENOENT) {
                return null;
            }
            throw fail("stat", name);
        }
        return Stat.fromStatx(buf);
    }

    public static void mkdirat(int dirfd, String name, int mode) {
        check(C.mkdirat(dirfd, cstr(name), mode), "mkdir", name);
    }

    public static void mknodat(int dirfd, String name, int mode, long dev) {
        check(C.mknodat(dirfd, cstr(name), mode, dev), "mknod", name);
    }

    public static void symlinkat(String target, int dirfd, String name) {
        check(C.symlinkat(cstr(target), dirfd, cstr(name)), "symlink", name);
    }

    public static String readlinkat(int dirfd, String name) {
        byte[] buf = new byte[4096];
        long n = check(C.readlinkat(dirfd, cstr(name), buf, buf.length), "readlink", name);
        return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    }

    public static void linkat(int olddirfd, String oldname, int newdirfd, String newname) {
        check(C.linkat(olddirfd, cstr(oldname), newdirfd, cstr(newname), 0), "link", newname);
    }

    public static void unlinkat(int dirfd, String name, boolean directory) {
        check(C.unlinkat(dirfd, cstr(name), directory ? AT_REMOVEDIR : 0), directory ? "rmdir" : "unlink", name);
    }

    /** unlinkat returning the errno (0 on success) instead of throwing. */
    public static int tryUnlinkat(int dirfd, String name, boolean directory) {
        return C.unlinkat(dirfd, cstr(name), directory ? AT_REMOVEDIR : 0) < 0 ? errno() : 0;
    }

    public static void renameat2(int olddirfd, String oldname, int newdirfd, String newname, int flags) {
        check(C.renameat2(olddirfd, cstr(oldname), newdirfd, cstr(newname), flags), "rename", newname);
    }

    public static void fchmod(int fd, int mode) {
        check(C.fchmod(fd, mode), "chmod", null);
    }

    public static void fchownat(int dirfd, String name, int uid, int gid) {
        int flags = AT_SYMLINK_NOFOLLOW | (name.isEmpty() ? AT_EMPTY_PATH : 0);
        check(C.fchownat(dirfd, cstr(name), uid, gid, flags), "chown", name);
    }

    /** utimensat without following symlinks; a null time is left unchanged unless its now flag is set. */
    public static void utimensat(int dirfd, String name, Timespec atime, boolean atimeNow, Timespec mtime,
            boolean mtimeNow) {
        Pointer ts = SCRATCH.get();
        putTime(ts, 0, atime, atimeNow);
        putTime(ts, 16, mtime, mtimeNow);
        int flags = AT_SYMLINK_NOFOLLOW;
        if (name.isEmpty()) {
            // utimensat has no AT_EMPTY_PATH, and glibc refuses its NULL-path form: futimens is the fd variant
            check(C.futimens(dirfd, ts), "utimensat", name);
            return;
        }
        check(C.utimensat(dirfd, cstr(name), ts, flags), "utimensat", name);
    }

    private static void putTime(Pointer ts, int off, Timespec t, boolean now) {
        if (t != null) {
            ts.putLong(off, t.sec());
            ts.putLong(off + 8, t.nsec());
        } else {
            ts.putLong(off, 0);
            ts.putLong(off + 8, now ? UTIME_NOW : UTIME_OMIT);
        }
    }

    /** The xattr value, or null when the inode has no such attribute (ENODATA). */
    public static byte[] fgetxattr(int fd, String name) {
        byte[] key = cstr(name);
        byte[] buf = new byte[256];
        for (;;) {
            long n = C.fgetxattr(fd, key, buf, buf.length);
            if (n >= 0) {
                return Arrays.copyOf(buf, (int) n);
            }
            int e = errno();
            if (e == Errno.ENODATA) {
                return null;
            }
            if (e != Errno.ERANGE) {
                throw new FopException(e, name + ": " + Errno.describe(e) + " (getxattr)");
            }
            long size = C.fgetxattr(fd, key, null, 0);
            if (size < 0) {
                throw fail("getxattr", name);
            }
            buf = new byte[(int) Math.max(size, buf.length * 2L)];
        }
    }

    public static void fsetxattr(int fd, String name, byte[] value, int flags) {
        check(C.fsetxattr(fd, cstr(name), value, value.length, flags), "setxattr", name);
    }

    /** Removes the attribute; returns false when it was not there. */
    public static boolean fremovexattr(int fd, String name) {
        if (C.fremovexattr(fd, cstr(name)) < 0) {
            if (errno() == Errno.ENODATA) {
                return false;
            }
            throw fail("removexattr", name);
        }
        return true;
    }

    public static List<String> flistxattr(int fd) {
        byte[] buf = new byte[1024];
        for (;;) {
            long n = C.flistxattr(fd, buf, buf.length);
            if (n >= 0) {
                List<String> names = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == 0) {
                        if (i > start) {
                            names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
                        }
                        start = i + 1;
                    }
                }
                return names;
            }
            if (errno() != Errno.ERANGE) {
                throw fail("listxattr", null);
            }
            buf = new byte[buf.length * 4];
        }
    }

    public static StatFs fstatvfs(int fd) {
        Pointer b = SCRATCH.get();
        check(C.fstatvfs(fd, b), "statvfs", null);
        return new StatFs(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32),
                b.getLong(40), b.getLong(48), b.getLong(56), b.getLong(64), b.getLong(72), b.getLong(80));
    }

    public static long lseek(int fd, long offset) {
        return check(C.lseek(fd, offset, 0), "lseek", null);
    }

    /** One getdents64 batch into buf; returns bytes filled, 0 at end of directory. */
    public static int getdents(int fd, Pointer buf, int size) {
        return (int) check(C.getdents64(fd, buf, size), "getdents", null);
    }

    public static Pointer allocate(int bytes) {
        return Memory.allocateDirect(RUNTIME, bytes);
    }

    /** The type bits of a dirent d_type value, or 0 when unknown. */
    public static int typeOfDirent(int dtype) {
        switch (dtype) {
            case 1: return FileType.FIFO.bits();
            case 2: return FileType.CHAR_DEVICE.bits();
            case 4: return FileType.DIRECTORY.bits();
            case 6: return FileType.BLOCK_DEVICE.bits();
            case 8: return FileType.REGULAR.bits();
            case 10: return FileType.SYMLINK.bits();
            case 12: return FileType.SOCKET.bits();
            default: return 0;
        }
    }

    public static int umask(int mask) {
        return C.umask(mask);
    }

    public static final int POSIX_FADV_DONTNEED = 4;

    /** Drops the clean cached pages of a file (the kernel's page cache for this inode). */
    public static void dropCachedPages(String path) {
        int fd = C.openat(AT_FDCWD, cstr(path), O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd >= 0) {
            try {
                dropCachedPages(fd);
            } finally {
                C.close(fd);
            }
        }
    }

    /**
     * A descriptor of this process for the open file another process has as its descriptor fd (pidfd_getfd(2),
     * Linux 5.6; the caller needs ptrace access to that process), or -errno. Nothing is opened: the file is the
     * other process's, so on a FUSE mount no request reaches the daemon.
     */
    public static int duplicateFrom(int pid, int fd) {
        long pidfd = C.syscall(SYS_PIDFD_OPEN, pid, 0, 0);
        if (pidfd < 0) {
            return -errno();
        }
        try {
            long r = C.syscall(SYS_PIDFD_GETFD, (int) pidfd, fd, 0); // the new descriptor is close-on-exec
            return r >= 0 ? (int) r : -errno();
        } finally {
            C.close((int) pidfd);
        }
    }

    /** Drops the clean cached pages of the file open as fd (the kernel's page cache for its inode). */
    public static void dropCachedPages(int fd) {
        C.posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    }

    /** The calling native thread (a libfuse worker may be a new Java thread on each callback: jffi detaches it). */
    public static long nativeThread() {
        return C.pthread_self();
    }

    public static int geteuid() {
        return C.geteuid();
    }

    public static int getegid() {
        return C.getegid();
    }

    /**
     * chmod through /proc/self/fd of an O_PATH descriptor: changes exactly the inode that descriptor names, so a
     * name swapped for a symlink after it was opened cannot redirect the change.
     */
    public static void chmodByDescriptor(int opathFd, int mode) {
        check(C.chmod(cstr("/proc/self/fd/" + opathFd), mode), "chmod", null);
    }

    /** xattr calls for inodes that cannot be opened for reading (symlinks, fifos, sockets, devices). */
    public static byte[] getxattrByDescriptor(int opathFd, String name) {
        byte[] buf = new byte[65536];
        long n = C.getxattr(cstr("/proc/self/fd/" + opathFd), cstr(name), buf, buf.length);
        if (n < 0) {
            if (errno() == Errno.ENODATA) {
                return null;
            }
            throw fail("getxattr", name);
        }
        return Arrays.copyOf(buf, (int) n);
    }

    public static void setxattrByDescriptor(int opathFd, String name, byte[] value, int flags) {
        check(C.setxattr(cstr("/proc/self/fd/" + opathFd), cstr(name), value, value.length, flags), "setxattr",
                name);
    }

    public static boolean removexattrByDescriptor(int opathFd, String name) {
        if (C.removexattr(cstr("/proc/self/fd/" + opathFd), cstr(name)) < 0) {
            if (errno() == Errno.ENODATA) {
                return false;
            }
            throw fail("removexattr", name);
        }
        return true;
    }

    public static List<String> listxattrByDescriptor(int opathFd) {
        byte[] buf = new byte[65536];
        long n = check(C.listxattr(cstr("/proc/self/fd/" + opathFd), buf, buf.length), "listxattr", null);
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == 0) {
                if (i > start) {
                    names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return names;
    }
}
