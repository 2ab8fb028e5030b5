package io.camelfs.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Write;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A write's data on its way from a received frame to the disk: shared with the frame, never mixed up. */
class WireBytesTest {
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
        ByteBuffer b = Wire.bytes(parsed.getWrite().getData());

        assertTrue(payload == b.array(), "no copy: the buffer is over the frame's own array");
        assertArrayEquals(data, remaining(b));
        assertEquals("/f", parsed.getWrite().getPath());
    }

    @Test
    void dataInPiecesIsCopiedWhole() {
        ByteString a = ByteString.copyFrom(new byte[] {1, 2, 3});
        ByteString b = ByteString.copyFrom(new byte[] {4, 5});
        ByteBuffer out = Wire.bytes(a.concat(b));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, remaining(out));
    }

    @Test
    void aSliceKeepsItsBounds() {
        byte[] whole = {9, 8, 7, 6, 5, 4};
        ByteString slice = ByteString.copyFrom(whole).substring(2, 5);
        ByteBuffer out = Wire.bytes(slice);
        assertArrayEquals(new byte[] {7, 6, 5}, remaining(out));
        assertTrue(whole != out.array(), "copyFrom made its own array; the slice is over that one");
    }

    @Test
    void emptyDataIsAnEmptyBuffer() {
        assertEquals(0, Wire.bytes(ByteString.EMPTY).remaining());
    }
}
