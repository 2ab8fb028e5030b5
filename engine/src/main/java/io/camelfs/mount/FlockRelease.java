package io.camelfs.mount;

import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * Whether a release must drop the closing descriptor's flock(2) lock: libfuse 2.9 leaves that to the filesystem's
 * release, marked by {@code flock_release}, bit 4 of the bit-field word that also holds direct_io (see
 * {@link DirectWrites}); the lock's owner is then in {@code lock_owner}.
 */
final class FlockRelease {
    private static final int FLOCK_RELEASE = 1 << 4;
    private static final boolean LP64 = jnr.ffi.Runtime.getSystemRuntime().addressSize() == 8;

    private FlockRelease() {
    }

    static boolean marked(FuseFileInfo fi) {
        Pointer p = Struct.getMemory(fi);
        return LP64 && (p.getInt(DirectWrites.BITS_OFFSET) & FLOCK_RELEASE) != 0;
    }
}
