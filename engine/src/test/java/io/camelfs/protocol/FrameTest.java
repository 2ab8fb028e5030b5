package io.camelfs.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.Write;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Requests serialised straight into the stream, and parsed without copying their data out of the frame. */
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

    private static byte[] remaining(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void dataParsedFromAFrameSharesTheFramesArray() throws Exception {
        byte[] data = new byte[70_000];
        Arrays.fill(data, (byte) 0x5a);
        data[0] = 1;
        data[data.length - 1] = 2;
        byte[] payload = FopRequest.newBuilder().setWrite(Write.newBuilder().setPath("/f").setOffset(9)
                .setData(ByteString.copyFrom(data))).build().toByteArray();
        Frame frame = Frame.request(Method.CALL, 1, payload);

        FopRequest parsed = FopRequest.parser().parseFrom(frame.aliasedPayload());
        ByteBuffer b = parsed.getWrite().getData().asReadOnlyByteBuffer();

        assertArrayEquals(data, remaining(b));
        assertEquals("/f", parsed.getWrite().getPath());
        Arrays.fill(payload, (byte) 7);
        byte[] sevens = new byte[data.length];
        Arrays.fill(sevens, (byte) 7);
        assertArrayEquals(sevens, remaining(b), "no copy: the data is a view of the frame's own array");
        assertFalse(b.isDirect(), "a heap view, which PosixStore writes through its native buffer");
    }
}
