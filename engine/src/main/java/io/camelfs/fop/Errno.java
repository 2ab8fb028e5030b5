package io.camelfs.fop;

/** The errno values camelfs passes through unchanged from a brick's filesystem to its callers (Linux numbering). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ETXTBSY = 26;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int ERANGE = 34;
    public static final int EDEADLK = 35;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOLCK = 37;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    public static final int ETIME = 62;
    public static final int EOVERFLOW = 75;
    public static final int EILSEQ = 84;
    public static final int EOPNOTSUPP = 95;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int EALREADY = 114;
    public static final int ESTALE = 116;
    public static final int EDQUOT = 122;

    private Errno() {
    }

    /** Symbolic name, as in errno.h. */
    public static String name(int errno) {
        switch (errno) {
            case EPERM: return "EPERM";
            case EALREADY: return "EALREADY";
            case ENOENT: return "ENOENT";
            case EINTR: return "EINTR";
            case EIO: return "EIO";
            case ENXIO: return "ENXIO";
            case E2BIG: return "E2BIG";
            case EBADF: return "EBADF";
            case EAGAIN: return "EAGAIN";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EBUSY: return "EBUSY";
            case EEXIST: return "EEXIST";
            case EXDEV: return "EXDEV";
            case ENODEV: return "ENODEV";
            case ENOTDIR: return "ENOTDIR";
            case EISDIR: return "EISDIR";
            case EINVAL: return "EINVAL";
            case ENFILE: return "ENFILE";
            case EMFILE: return "EMFILE";
            case ETXTBSY: return "ETXTBSY";
            case EFBIG: return "EFBIG";
            case ENOSPC: return "ENOSPC";
            case ESPIPE: return "ESPIPE";
            case EROFS: return "EROFS";
            case EMLINK: return "EMLINK";
            case ERANGE: return "ERANGE";
            case EDEADLK: return "EDEADLK";
            case ENAMETOOLONG: return "ENAMETOOLONG";
            case ENOLCK: return "ENOLCK";
            case ENOSYS: return "ENOSYS";
            case ENOTEMPTY: return "ENOTEMPTY";
            case ELOOP: return "ELOOP";
            case ENODATA: return "ENODATA";
            case ETIME: return "ETIME";
            case EOVERFLOW: return "EOVERFLOW";
            case EILSEQ: return "EILSEQ";
            case EOPNOTSUPP: return "EOPNOTSUPP";
            case ENOTCONN: return "ENOTCONN";
            case ETIMEDOUT: return "ETIMEDOUT";
            case ESTALE: return "ESTALE";
            case EDQUOT: return "EDQUOT";
            default: return "errno " + errno;
        }
    }

    /** The C library's message for the errno, as strerror(3) prints it. */
    public static String describe(int errno) {
        switch (errno) {
            case EPERM: return "Operation not permitted";
            case EALREADY: return "Operation already in progress";
            case ENOENT: return "No such file or directory";
            case EIO: return "Input/output error";
            case EBADF: return "Bad file descriptor";
            case EAGAIN: return "Resource temporarily unavailable";
            case EACCES: return "Permission denied";
            case EBUSY: return "Device or resource busy";
            case EEXIST: return "File exists";
            case EXDEV: return "Invalid cross-device link";
            case ENOTDIR: return "Not a directory";
            case EISDIR: return "Is a directory";
            case EINVAL: return "Invalid argument";
            case EMFILE: return "Too many open files";
            case EFBIG: return "File too large";
            case ENOSPC: return "No space left on device";
            case EROFS: return "Read-only file system";
            case EMLINK: return "Too many links";
            case ERANGE: return "Numerical result out of range";
            case EDEADLK: return "Resource deadlock avoided";
            case ENAMETOOLONG: return "File name too long";
            case ENOLCK: return "No locks available";
            case ENOSYS: return "Function not implemented";
            case ENOTEMPTY: return "Directory not empty";
            case ELOOP: return "Too many levels of symbolic links";
            case ENODATA: return "No data available";
            case EILSEQ: return "Invalid or incomplete multibyte or wide character";
            case EOPNOTSUPP: return "Operation not supported";
            case ENOTCONN: return "Transport endpoint is not connected";
            case ETIMEDOUT: return "Connection timed out";
            case ESTALE: return "Stale file handle";
            case EDQUOT: return "Disk quota exceeded";
            default: return name(errno);
        }
    }
}
