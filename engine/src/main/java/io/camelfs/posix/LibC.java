package io.camelfs.posix;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The C library calls a brick needs and java.nio does not offer (the *at family, user xattrs on descriptors,
 * nanosecond times, mknod, renameat2, getdents64). Paths are passed as NUL-terminated UTF-8 byte arrays so the
 * JVM's locale never changes a name.
 */
public interface LibC {
    int openat(int dirfd, @In byte[] path, int flags, int mode);

    long syscall(long number, int dirfd, @In byte[] path, Pointer how, long size);

    /** pidfd_open and pidfd_getfd, which glibc before 2.36 does not wrap. */
    long syscall(long number, int a, int b, int c);

    int close(int fd);

    long pread(int fd, Pointer buf, long count, long offset);

    long pread(int fd, @Out byte[] buf, long count, long offset);

    /** Given a direct buffer (Posix.pwriteFully makes sure), its memory goes to the kernel as it is. */
    long pwrite(int fd, @In ByteBuffer buf, long count, long offset);

    long writev(int fd, Pointer iov, int count);

    int ftruncate(int fd, long length);

    int fsync(int fd);

    int fdatasync(int fd);

    int syncfs(int fd);

    int sync_file_range(int fd, long offset, long nbytes, int flags);

    int fallocate(int fd, int mode, long offset, long length);

    int statx(int dirfd, @In byte[] path, int flags, int mask, Pointer buf);

    int mkdirat(int dirfd, @In byte[] path, int mode);

    int mknodat(int dirfd, @In byte[] path, int mode, long dev);

    int symlinkat(@In byte[] target, int newdirfd, @In byte[] linkpath);

    long readlinkat(int dirfd, @In byte[] path, @Out byte[] buf, long size);

    int linkat(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath, int flags);

    int unlinkat(int dirfd, @In byte[] path, int flags);

    int renameat2(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath, int flags);

    int fchmod(int fd, int mode);

    int fchownat(int dirfd, @In byte[] path, int uid, int gid, int flags);

    int utimensat(int dirfd, @In byte[] path, Pointer times, int flags);

    int futimens(int fd, Pointer times);

    long fgetxattr(int fd, @In byte[] name, @Out byte[] value, long size);

    int fsetxattr(int fd, @In byte[] name, @In byte[] value, long size, int flags);

    long flistxattr(int fd, @Out byte[] list, long size);

    int fremovexattr(int fd, @In byte[] name);

    int fstatvfs(int fd, Pointer buf);

    long getdents64(int fd, Pointer buf, long count);

    long lseek(int fd, long offset, int whence);

    int umask(int mask);

    int chmod(@In byte[] path, int mode);

    long getxattr(@In byte[] path, @In byte[] name, @Out byte[] value, long size);

    int setxattr(@In byte[] path, @In byte[] name, @In byte[] value, long size, int flags);

    long listxattr(@In byte[] path, @Out byte[] list, long size);

    int removexattr(@In byte[] path, @In byte[] name);

    int posix_fadvise(int fd, long offset, long len, int advice);

    long pthread_self();

    int geteuid();

    int getegid();
}
