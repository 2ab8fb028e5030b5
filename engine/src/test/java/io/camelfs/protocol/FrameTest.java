package io.camelfs.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.Write;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A request serialised straight into the stream reads back as the frame its bytes would have made. */
class FrameTest {
    @Test
    void aStreamedRequestReadsBackAsItsMessageBytes() throws Exception {
        byte[] data = new byte[128 << 10];
        new Random(3).nextBytes(data);
        FopRequest req = FopRequest.newBuilder().setHeader(Header.newBuilder().setSeq(12).setSettled(11))
                .setWrite(Write.newBuilder().setPath("/big").setOffset(1 << 20).setData(ByteString.copyFrom(data)))
                .build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);

        Frame.writeRequest(out, Method.CALL, 42, req);
        Frame.writeRequest(out, Method.PING, 43, FopRequest.getDefaultInstance());

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        Frame f = Frame.read(in);
        assertEquals(Frame.REQUEST, f.kind());
        assertEquals(Method.CALL.wire(), f.method());
        assertEquals(42, f.id());
        assertArrayEquals(req.toByteArray(), f.payload());
        assertEquals(req, FopRequest.parseFrom(f.payload()));
        Frame empty = Frame.read(in);
        assertEquals(43, empty.id());
        assertEquals(Method.PING.wire(), empty.method());
        assertEquals(0, empty.payload().length, "an empty message is an empty payload");
        assertEquals(-1, in.read(), "nothing after the two frames");
    }
}
