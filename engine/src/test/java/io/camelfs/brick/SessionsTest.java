package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A session's id arrives as a view of its request's frame; the session must not depend on that frame. */
class SessionsTest {
    @Test
    void aSessionKeepsItsIdWhenTheFrameItCameInChanges() {
        byte[] frame = new byte[128 << 10];
        Arrays.fill(frame, 0, 16, (byte) 7);
        ByteString view = UnsafeByteOperations.unsafeWrap(frame).substring(0, 16);
        ByteString expected = ByteString.copyFrom(frame, 0, 16);
        Sessions sessions = new Sessions();

        Sessions.Session s = sessions.touch(view);
        Arrays.fill(frame, (byte) 0); // the connection's next frame, were the array reused

        assertEquals(expected, s.id);
        assertSame(s, sessions.get(expected), "found by the id it came with");
        assertSame(s, sessions.touch(ByteString.copyFrom(expected.toByteArray())), "touched again, the same session");
        assertEquals(1, sessions.size());
    }
}
