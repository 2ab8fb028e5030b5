package io.camelfs.fop;

/** A POSIX byte-range lock request (fcntl F_GETLK / F_SETLK / F_SETLKW). length 0 means "to end of file". */
public record LockRequest(Command command, Type type, long start, long length, long owner, int pid) {
    public enum Command { GET, SET, SET_WAIT }

    public enum Type { READ, WRITE, UNLOCK }
}
