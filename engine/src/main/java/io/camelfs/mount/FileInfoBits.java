package io.camelfs.mount;

import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * The bit-field word of libfuse 2.9's {@code struct fuse_file_info}: direct_io (bit 0), keep_cache, flush,
 * nonseekable and flock_release (bit 4), an unsigned int after {@code int writepage}, at byte 20 on LP64. jnr-fuse's
 * struct maps these bits as separate bytes from byte 16, so they are read and set through the struct's memory.
 * Elsewhere than on LP64 the offset does not hold: no bit reads as set, and none is set.
 */
final class FileInfoBits {
    static final int OFFSET = 20;
    static final int DIRECT_IO = 1;
    static final int FLOCK_RELEASE = 1 << 4;
    private static final boolean LP64 = jnr.ffi.Runtime.getSystemRuntime().addressSize() == 8;

    private FileInfoBits() {
    }

    static boolean has(FuseFileInfo fi, int bit) {
        return LP64 && (Struct.getMemory(fi).getInt(OFFSET) & bit) != 0;
    }

    static void set(FuseFileInfo fi, int bit) {
        if (LP64) {
            Pointer p = Struct.getMemory(fi);
            p.putInt(OFFSET, p.getInt(OFFSET) | bit);
        }
    }
}
