package io.camelfs.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.Write;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Requests encoded into one write, and parsed without copying their data out of the frame. */
class FrameTest {
    @Test
    void aRequestIsEncodedWholeIntoADirectBufferAndReadsBackAsItsMessageBytes() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        // the data where a mount has it: outside the Java heap, in the FUSE request's memory
        ByteBuffer outside = ByteBuffer.allocateDirect(data.length).put(data).flip();
        FopRequest req = write(UnsafeByteOperations.unsafeWrap(outside));
        ByteBuffer scratch = ByteBuffer.allocateDirect(Frame.requestSize(req));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();

        Frame.encodeRequest(scratch, Method.CALL, 42, req);
        assertEquals(0, scratch.position());
        assertEquals(Frame.requestSize(req), scratch.limit(), "the whole frame, ready to write");
        wire.write(remaining(scratch));
        Frame.encodeRequest(scratch, Method.PING, 43, FopRequest.getDefaultInstance());
        wire.write(remaining(scratch));

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire.toByteArray()));
        Frame f = Frame.read(in);
        assertEquals(Frame.REQUEST, f.kind());
        assertEquals(Method.CALL.wire(), f.method());
        assertEquals(42, f.id());
        assertArrayEquals(req.toByteArray(), f.payload());
        assertArrayEquals(data, FopRequest.parseFrom(f.payload()).getWrite().getData().toByteArray());
        Frame empty = Frame.read(in);
        assertEquals(43, empty.id());
        assertEquals(Method.PING.wire(), empty.method());
        assertEquals(0, empty.payload().length, "an empty message is an empty payload");
        assertEquals(-1, in.read(), "nothing after the two frames");
    }

    @Test
    void aRequestLargerThanAnyBufferIsStreamedWhole() throws Exception {
        byte[] data = new byte[3_000_000];
        new Random(4).nextBytes(data);
        FopRequest req = write(ByteString.copyFrom(data));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        Frame.streamRequest(out, Method.CALL, 7, req);

        Frame f = Frame.read(new DataInputStream(new ByteArrayInputStream(out.toByteArray())));
        assertEquals(7, f.id());
        assertArrayEquals(req.toByteArray(), f.payload());
    }

    @Test
    void aWriteEncodedUpToItsDataAndFollowedByItReadsBackAsTheWholeRequest() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(5).nextBytes(data);
        ByteBuffer outside = ByteBuffer.allocateDirect(data.length).put(data).flip();
        FopRequest req = FopRequest.newBuilder()
                .setHeader(Header.newBuilder().setSeq(12).setSettled(11).addLeases("i:abc").setUid(1000))
                .setWrite(Write.newBuilder().setPath("/www/big.bin").setGfid(ByteString.copyFrom(new byte[16]))
                        .setOffset(3L << 30).setData(UnsafeByteOperations.unsafeWrap(outside))
                        .setTruncate(5_000_000).setSync(true))
                .build();
        ByteBuffer scratch = ByteBuffer.allocateDirect(64 << 10);

        ByteBuffer separate = Frame.separateData(req);
        Frame.encodeAllButData(scratch, Method.CALL, 44, req);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(remaining(scratch));
        wire.write(remaining(separate));
        assertEquals(Frame.requestSize(req), wire.size(), "the frame's bytes, data included");

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire.toByteArray()));
        Frame f = Frame.read(in);
        assertEquals(44, f.id());
        assertEquals(Method.CALL.wire(), f.method());
        assertEquals(req, FopRequest.parseFrom(f.payload()), "every field, in the order written");
        assertEquals(-1, in.read(), "nothing after the frame");
    }

    @Test
    void onlyALargeWriteInDirectMemorySendsItsDataSeparately() {
        ByteBuffer small = ByteBuffer.allocateDirect(Frame.SEPARATE_DATA - 1);
        ByteBuffer large = ByteBuffer.allocateDirect(Frame.SEPARATE_DATA);
        assertNull(Frame.separateData(write(UnsafeByteOperations.unsafeWrap(small))));
        assertNull(Frame.separateData(write(ByteString.copyFrom(new byte[Frame.SEPARATE_DATA]))));
        assertNull(Frame.separateData(Header.getDefaultInstance()));
        assertEquals(Frame.SEPARATE_DATA, Frame.separateData(write(UnsafeByteOperations.unsafeWrap(large))).remaining());
    }

    private static FopRequest write(ByteString data) {
        return FopRequest.newBuilder().setHeader(Header.newBuilder().setSeq(12).setSettled(11))
                .setWrite(Write.newBuilder().setPath("/big").setOffset(1 << 20).setData(data)).build();
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
