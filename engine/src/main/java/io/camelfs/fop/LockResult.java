package io.camelfs.fop;

/** For GET: the first conflicting lock (type UNLOCK if none). For SET: granted or not. */
public record LockResult(boolean granted, LockRequest.Type type, long start, long length, int pid) {
}
