package io.camelfs.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

/** INIT's reply as the kernel gets it from a mount: libfuse 2.9's 24 bytes, widened to ask for 1 MiB requests. */
class FuseLoopTest {
    private static final Runtime RT = Runtime.getSystemRuntime();
    private final Pointer reply = Memory.allocateDirect(RT, 64);
    private final Pointer iov = Memory.allocateDirect(RT, 32);

    /** A message as libfuse hands it to its channel: a 16-byte header and, unless bodySize is 0, a body. */
    private static Pointer message(int error, Pointer body, int bodySize) {
        Pointer header = Memory.allocateDirect(RT, 16);
        header.putInt(0, 16 + bodySize);
        header.putInt(4, error);
        header.putLong(8, 42);
        Pointer given = Memory.allocateDirect(RT, 32);
        given.putAddress(0, header.address());
        given.putLong(8, 16);
        if (body != null) {
            given.putAddress(16, body.address());
            given.putLong(24, bodySize);
        }
        return given;
    }

    /** libfuse 2.9's fuse_init_out for protocol 7.19: major, minor, readahead, flags, background, max_write. */
    private static Pointer libfuseInitOut() {
        Pointer out = Memory.allocateDirect(RT, 24);
        out.putInt(0, 7);
        out.putInt(4, 19);
        out.putInt(8, 131072);
        out.putInt(12, 0x1 | 0x20);
        out.putShort(16, (short) 12);
        out.putShort(18, (short) 9);
        out.putInt(20, 1 << 20);
        return out;
    }

    @Test
    void initsReplyCarriesThePageFlagAndCountInTheKernelsFullSize() {
        Pointer given = message(0, libfuseInitOut(), 24);
        Pointer sent = FuseLoop.withPageCount(given, 2, reply, iov);

        assertSame(iov, sent);
        Pointer header = given.getPointer(0);
        assertEquals(16 + 64, header.getInt(0), "header length counts the widened body");
        assertEquals(42, header.getLong(8), "same request answered");
        assertEquals(header.address(), sent.getAddress(0));
        assertEquals(16, sent.getLong(8));
        assertEquals(reply.address(), sent.getAddress(16));
        assertEquals(64, sent.getLong(24));
        assertEquals(7, reply.getInt(0));
        assertEquals(19, reply.getInt(4));
        assertEquals(131072, reply.getInt(8));
        assertEquals(0x1 | 0x20 | (1 << 22), reply.getInt(12), "libfuse's flags and FUSE_MAX_PAGES");
        assertEquals(12, reply.getShort(16));
        assertEquals(9, reply.getShort(18));
        assertEquals(1 << 20, reply.getInt(20));
        assertEquals(0, reply.getInt(24), "time_gran");
        assertEquals(256, reply.getShort(28), "max_pages: 1 MiB");
        for (int off = 30; off < 64; off++) {
            assertEquals(0, reply.getByte(off), "byte " + off);
        }
    }

    @Test
    void otherMessagesGoOutAsLibfuseMadeThem() {
        Pointer error = message(-38, null, 0);
        assertSame(error, FuseLoop.withPageCount(error, 1, reply, iov), "an error reply has no body");
        Pointer failed = message(-71, libfuseInitOut(), 24);
        assertSame(failed, FuseLoop.withPageCount(failed, 2, reply, iov), "a failed INIT");
        Pointer tooLong = message(0, Memory.allocateDirect(RT, 80), 80);
        assertSame(tooLong, FuseLoop.withPageCount(tooLong, 2, reply, iov), "larger than the kernel's structure");
        Pointer threeParts = message(0, libfuseInitOut(), 24);
        assertSame(threeParts, FuseLoop.withPageCount(threeParts, 3, reply, iov));
        assertEquals(16 + 24, threeParts.getPointer(0).getInt(0), "left untouched");
    }
}
