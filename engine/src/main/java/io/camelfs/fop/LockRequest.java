package io.camelfs.fop;

/**
 * A POSIX byte-range lock request (fcntl F_GETLK / F_SETLK / F_SETLKW). length 0 means "to end of file". file: the
 * locked file's gfid when the caller knows it (a mount does, from the open descriptor); the lock then follows the
 * file, whatever its name is now or whether it still has one, as a lock on a local disk does. Null: the path names
 * it. waitMillis: how long a SET_WAIT may wait before it fails with EAGAIN; 0, as long as it takes. flock: a BSD
 * flock(2) lock (whole file, READ shared, WRITE exclusive), which POSIX locks neither see nor conflict with.
 */
public record LockRequest(Command command, Type type, long start, long length, long owner, int pid, Gfid file,
        long waitMillis, boolean flock) {
    public enum Command { GET, SET, SET_WAIT }

    public enum Type { READ, WRITE, UNLOCK }

    /** A request on the file the path names. */
    public LockRequest(Command command, Type type, long start, long length, long owner, int pid) {
        this(command, type, start, length, owner, pid, null, 0, false);
    }

    /** A request on this file; a SET_WAIT waits as long as it takes. */
    public LockRequest(Command command, Type type, long start, long length, long owner, int pid, Gfid file) {
        this(command, type, start, length, owner, pid, file, 0, false);
    }

    /** A flock(2) request on this file: SET (LOCK_NB) or SET_WAIT, READ (LOCK_SH), WRITE (LOCK_EX) or UNLOCK. */
    public static LockRequest flock(Command command, Type type, long owner, int pid, Gfid file) {
        return new LockRequest(command, type, 0, 0, owner, pid, file, 0, true);
    }

    /** The same request with another command. */
    public LockRequest as(Command other) {
        return new LockRequest(other, type, start, length, owner, pid, file, waitMillis, flock);
    }

    /** The same request, waiting at most this long. */
    public LockRequest waitingAtMost(long millis) {
        return new LockRequest(command, type, start, length, owner, pid, file, millis, flock);
    }
}
