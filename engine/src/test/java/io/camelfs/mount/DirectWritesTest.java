package io.camelfs.mount;

import static io.camelfs.posix.Posix.O_APPEND;
import static io.camelfs.posix.Posix.O_CREAT;
import static io.camelfs.posix.Posix.O_RDONLY;
import static io.camelfs.posix.Posix.O_RDWR;
import static io.camelfs.posix.Posix.O_TRUNC;
import static io.camelfs.posix.Posix.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/** The direct_io bit as libfuse 2.9 reads it from struct fuse_file_info, set for write-only opens only. */
class DirectWritesTest {
    private static final Runtime RT = Runtime.getSystemRuntime();

    /** fuse_file_info as libfuse fills it before open: flags, and keep_cache (bit 1) already set by someone. */
    private static Pointer fileInfo(int flags) {
        Pointer p = Memory.allocateDirect(RT, 40);
        p.putInt(0, flags);
        p.putInt(FileInfoBits.OFFSET, 0b10);
        p.putLong(24, 77); // fh
        return p;
    }

    private static int bitsAfterOpen(int flags) {
        Pointer p = fileInfo(flags);
        DirectWrites.apply(FuseFileInfo.of(p));
        assertEquals(77, p.getLong(24), "fh untouched");
        assertEquals(flags, p.getInt(0), "flags untouched");
        return p.getInt(FileInfoBits.OFFSET);
    }

    @Test
    void writeOnlyOpensGoDirectKeepingTheOtherBits() {
        assertEquals(0b11, bitsAfterOpen(O_WRONLY));
        assertEquals(0b11, bitsAfterOpen(O_WRONLY | O_CREAT | O_TRUNC));
        assertEquals(0b11, bitsAfterOpen(O_WRONLY | O_APPEND));
    }

    @Test
    void opensThatCanReadKeepThePageCache() {
        assertEquals(0b10, bitsAfterOpen(O_RDONLY));
        assertEquals(0b10, bitsAfterOpen(O_RDWR));
        assertEquals(0b10, bitsAfterOpen(O_RDWR | O_CREAT | O_TRUNC));
    }
}
