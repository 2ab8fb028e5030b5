package io.camelfs.protocol;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Write;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One frame of the brick protocol on a TCP connection: {@code u32 length | u8 kind | u8 method | u64 id | payload}.
 * The length counts everything after itself. Requests and replies pair up by id; the payload is one protobuf
 * message of the method, or for an error an error code byte and a UTF-8 message.
 */
public record Frame(int kind, int method, long id, byte[] payload) {
    public static final int REQUEST = 1;
    public static final int REPLY = 2;
    public static final int ERROR = 3;
    public static final int UPCALL = 4;

    /** Error codes in ERROR frames. */
    public static final int NOT_FOUND = 1;
    public static final int FAILED_PRECONDITION = 2;
    public static final int INVALID = 3;
    public static final int INTERNAL = 4;
    public static final int EXHAUSTED = 5;

    private static final int HEADER = 1 + 1 + 8;
    /** Largest frame either side accepts: a request above this is refused before it is read into memory. */
    public static final int MAX_FRAME = 64 << 20;
    /** Payloads up to this size get their whole buffer at once: all of normal use (a mount writes up to 1 MiB). */
    public static final int EAGER = (1 << 20) + (64 << 10);

    public static Frame request(Method m, long id, byte[] payload) {
        return new Frame(REQUEST, m.wire(), id, payload);
    }

    public static Frame error(Frame req, int code, String message) {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[1 + m.length];
        p[0] = (byte) code;
        System.arraycopy(m, 0, p, 1, m.length);
        return new Frame(ERROR, req.method, req.id, p);
    }

    /**
     * The payload as parser input whose bytes fields (a write's data) share this frame's array instead of being
     * copied out of it: the frame is read into an array of its own, which nothing writes into after. (Protobuf
     * aliases only input it knows to be immutable, hence the detour through a wrapping ByteString.)
     */
    public CodedInputStream aliasedPayload() {
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(payload).newCodedInput();
        in.enableAliasing(true);
        return in;
    }

    public int errorCode() {
        return payload.length > 0 ? payload[0] : INTERNAL;
    }

    public String errorMessage() {
        return payload.length > 1 ? new String(payload, 1, payload.length - 1, StandardCharsets.UTF_8) : "error";
    }

    public void write(DataOutputStream out) throws IOException {
        writeHeader(out, kind, method, id, payload.length);
        out.write(payload);
        out.flush();
    }

    /** The bytes a request frame carrying message takes on the wire. */
    static int requestSize(MessageLite message) {
        return 4 + HEADER + message.getSerializedSize();
    }

    /**
     * Encodes a request frame carrying message into scratch, from its start, and flips it for writing: a write's
     * data is copied once, from wherever it is (for example the FUSE request's memory). The frame must fit (see
     * {@link #requestSize}).
     */
    static void encodeRequest(ByteBuffer scratch, Method m, long id, MessageLite message) throws IOException {
        int size = message.getSerializedSize();
        header(scratch.clear(), REQUEST, m.wire(), id, size);
        CodedOutputStream body = CodedOutputStream.newInstance(scratch.position(4 + HEADER));
        message.writeTo(body);
        body.flush();
        scratch.flip();
    }

    /** A write's data from this size on leaves from where it lies (see {@link #encodeAllButData}). */
    static final int SEPARATE_DATA = 64 << 10;

    /**
     * The data of a write request of at least {@link #SEPARATE_DATA} bytes, held in direct memory (a FUSE request's,
     * for a mount): what {@link #encodeAllButData} leaves out. Null for any other message.
     */
    static ByteBuffer separateData(MessageLite message) {
        if (!(message instanceof FopRequest r) || !r.hasWrite() || r.getWrite().getData().size() < SEPARATE_DATA) {
            return null;
        }
        ByteBuffer data = r.getWrite().getData().asReadOnlyByteBuffer();
        return data.isDirect() ? data : null;
    }

    /**
     * Encodes the request frame of a write into scratch, flipped for writing, up to where its data would start: the
     * data (see {@link #separateData}) goes to the socket after it in the same gathering write, with no copy in Java.
     * The write comes after the request's other fields and the data after the write's others, which parsers accept
     * in any order; every length counts the data.
     */
    static void encodeAllButData(ByteBuffer scratch, Method m, long id, FopRequest request) throws IOException {
        Write write = request.getWrite();
        int dataSize = write.getData().size();
        FopRequest others = request.toBuilder().clearWrite().build();
        Write withoutData = write.toBuilder().clearData().build();
        int writeSize = withoutData.getSerializedSize() + CodedOutputStream.computeTagSize(Write.DATA_FIELD_NUMBER)
                + CodedOutputStream.computeUInt32SizeNoTag(dataSize) + dataSize;
        int size = others.getSerializedSize() + CodedOutputStream.computeTagSize(FopRequest.WRITE_FIELD_NUMBER)
                + CodedOutputStream.computeUInt32SizeNoTag(writeSize) + writeSize;
        header(scratch.clear(), REQUEST, m.wire(), id, size);
        CodedOutputStream body = CodedOutputStream.newInstance(scratch.position(4 + HEADER));
        others.writeTo(body);
        body.writeTag(FopRequest.WRITE_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        body.writeUInt32NoTag(writeSize);
        withoutData.writeTo(body);
        body.writeTag(Write.DATA_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        body.writeUInt32NoTag(dataSize);
        body.flush();
        scratch.flip();
    }

    /** Writes a request frame too large for any buffer to out in pieces. */
    static void streamRequest(OutputStream out, Method m, long id, MessageLite message) throws IOException {
        writeHeader(out, REQUEST, m.wire(), id, message.getSerializedSize());
        CodedOutputStream body = CodedOutputStream.newInstance(out, 64 << 10);
        message.writeTo(body);
        body.flush();
    }

    /** The frame's first 4 + HEADER bytes, written to out on their own. */
    private static void writeHeader(OutputStream out, int kind, int method, long id, int payloadLength)
            throws IOException {
        byte[] head = new byte[4 + HEADER];
        header(ByteBuffer.wrap(head), kind, method, id, payloadLength);
        out.write(head);
    }

    /** The frame's first 4 + HEADER bytes, at the buffer's start. */
    private static void header(ByteBuffer b, int kind, int method, long id, int payloadLength) {
        b.putInt(0, HEADER + payloadLength).put(4, (byte) kind).put(5, (byte) method).putLong(6, id);
    }

    /** Reads one frame; a length outside 10..MAX_FRAME is a protocol violation and ends the connection. */
    public static Frame read(DataInputStream in) throws IOException {
        Head h = readHead(in);
        return h.with(readPayload(in, h.payloadSize()));
    }

    /** A frame's fields before its payload, which is payloadSize bytes long. */
    public record Head(int kind, int method, long id, int payloadSize) {
        /** The frame of this head and a payload read separately. */
        public Frame with(byte[] payload) {
            return new Frame(kind, method, id, payload);
        }
    }

    /** Reads a frame's head, leaving its payload in the stream (see {@link #read}). */
    public static Head readHead(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < HEADER || len > MAX_FRAME) {
            throw new ProtocolException("frame length " + len + " outside " + HEADER + ".." + MAX_FRAME);
        }
        int kind = in.readUnsignedByte();
        int method = in.readUnsignedByte();
        long id = in.readLong();
        return new Head(kind, method, id, len - HEADER);
    }

    /**
     * A larger payload gets memory as its bytes arrive, doubling: the length is only the peer's claim, and a peer
     * that sends a header claiming 60 MiB and then stalls must not cost 60 MiB per connection.
     */
    public static byte[] readPayload(DataInputStream in, int size) throws IOException {
        byte[] b = new byte[Math.min(size, EAGER)];
        int done = 0;
        for (;;) {
            in.readFully(b, done, b.length - done);
            done = b.length;
            if (done == size) {
                return b;
            }
            b = Arrays.copyOf(b, (int) Math.min(size, 2L * done));
        }
    }

    /** The peer does not speak the brick protocol (or sent garbage). */
    public static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        public ProtocolException(String message) {
            super(message);
        }
    }
}
