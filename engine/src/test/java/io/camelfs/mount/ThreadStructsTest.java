package io.camelfs.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.Flock;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/** A thread's reused struct views write where the call at hand points them, nested time fields included. */
class ThreadStructsTest {
    private static Pointer buffer() {
        return Memory.allocateDirect(Runtime.getSystemRuntime(), 256, true);
    }

    @Test
    void aReusedFileStatFillsTheMemoryOfEachCall() {
        Pointer first = buffer();
        Pointer second = buffer();

        FileStat a = ThreadStructs.stat(first);
        a.st_size.set(4096);
        a.st_mtim.tv_sec.set(1_700_000_001L);
        a.st_mtim.tv_nsec.set(7);
        FileStat b = ThreadStructs.stat(second);
        b.st_size.set(12);
        b.st_mtim.tv_sec.set(1_600_000_002L);

        assertSame(a, b);
        FileStat readFirst = FileStat.of(first);
        FileStat readSecond = FileStat.of(second);
        assertEquals(4096, readFirst.st_size.longValue());
        assertEquals(1_700_000_001L, readFirst.st_mtim.tv_sec.get());
        assertEquals(7, readFirst.st_mtim.tv_nsec.intValue());
        assertEquals(12, readSecond.st_size.longValue());
        assertEquals(1_600_000_002L, readSecond.st_mtim.tv_sec.get());
        assertEquals(0, readSecond.st_mtim.tv_nsec.intValue());
    }

    @Test
    void aReusedFileInfoReadsTheMemoryOfEachCall() {
        Pointer first = buffer();
        Pointer second = buffer();
        FuseFileInfo.of(first).fh.set(41);
        FuseFileInfo.of(second).fh.set(42);
        FuseFileInfo.of(second).flags.set(2);

        assertEquals(41, ThreadStructs.info(first).fh.get());
        assertEquals(0, ThreadStructs.info(first).flags.get());
        assertEquals(42, ThreadStructs.info(second).fh.get());
        assertEquals(2, ThreadStructs.info(second).flags.get());
    }

    @Test
    void aReusedFlockReadsAndAnswersTheMemoryOfEachCall() {
        Pointer first = buffer();
        Pointer second = buffer();
        Flock.of(first).l_start.set(100);
        Flock.of(second).l_start.set(200);

        assertEquals(100, ThreadStructs.lock(first).l_start.get());
        ThreadStructs.lock(second).l_type.set(Flock.F_UNLCK);
        assertEquals(200, ThreadStructs.lock(second).l_start.get());
        assertEquals(Flock.F_UNLCK, Flock.of(second).l_type.get());
        assertEquals(0, Flock.of(first).l_type.get());
    }
}
