package io.camelfs.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** UTF-8 text to and from the ByteBuffers the FOP interface speaks. */
public final class Bytes {
    private Bytes() {
    }

    public static ByteBuffer of(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    public static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }
}
