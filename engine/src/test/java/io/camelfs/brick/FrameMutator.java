package io.camelfs.brick;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Method;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The fuzzer's input generator: a seed from the corpus, serialized as a frame, then mutated -- on its fields
 * (extreme numbers, hostile paths, unknown enum values), on its bytes (bit flips, inserts, deletes, truncation),
 * on its frame header (length, kind, method, id), or combined with other inputs (concatenated, spliced). Every
 * choice comes from one seeded Random, so a seed replays the same inputs.
 */
final class FrameMutator {
    /** Bytes to send as they are, and how they were made (for the failure message). */
    record Input(byte[] bytes, String how) {
    }

    private static final int[] INTS = {0, 1, -1, 2, 7, 255, 4096, 65_536, 1 << 20, Integer.MAX_VALUE,
        Integer.MIN_VALUE, Frame.MAX_FRAME, Frame.MAX_FRAME + 1};
    private static final long[] LONGS = {0, 1, -1, 4096, 1L << 31, 1L << 32, 1L << 40, Long.MAX_VALUE,
        Long.MIN_VALUE};
    private static final String[] STRINGS = {"", "/", ".", "..", "../x", "d/../../x", "/../../etc/passwd", "d//f",
        "d/./f", "f\u0000x", ".camelfs", ".camelfs/brick.properties", "d/" + "n".repeat(300), "x/".repeat(2000),
        "\u00e9\u4e2d", "\ud800", "e:d/f", "i:", "user.camelfs.gfid", "trusted.x", "security.selinux", "f", "d",
        "d/f", "s", "s/x"};
    /** Frame lengths to claim: none, too short, empty payload, the limit, just over it, huge, negative. */
    private static final int[] LENGTHS = {0, 1, 9, 10, 11, Frame.MAX_FRAME, Frame.MAX_FRAME + 1, 60 << 20,
        Integer.MAX_VALUE, -1, Integer.MIN_VALUE};

    private final Random rnd;
    private final List<FuzzCorpus.Seed> seeds;
    private long nextId = 1;

    FrameMutator(long seed, List<FuzzCorpus.Seed> seeds) {
        this.rnd = new Random(seed);
        this.seeds = seeds;
    }

    Input next() {
        int r = rnd.nextInt(100);
        if (r < 10) {
            return concatenated();
        }
        if (r < 15) {
            return spliced();
        }
        if (r < 19) {
            return duplicateIds();
        }
        if (r < 21) {
            return garbage();
        }
        return single();
    }

    /** One frame: a seed with one or two mutations (sometimes none: valid requests keep the tree changing). */
    private Input single() {
        FuzzCorpus.Seed s = seeds.get(rnd.nextInt(seeds.size()));
        int r = rnd.nextInt(100);
        if (r < 6) {
            return new Input(frame(Frame.REQUEST, s.method().wire(), id(), s.message().toByteArray()), s.name());
        }
        if (r < 36) {
            Message m = mutateFields(s.message());
            return new Input(frame(Frame.REQUEST, s.method().wire(), id(), m.toByteArray()), "fields(" + s.name()
                    + ")");
        }
        if (r < 44) {
            return new Input(frame(Frame.REQUEST, s.method().wire(), id(), randomPayload()), "payload(" + s.name()
                    + ")");
        }
        byte[] b = frame(Frame.REQUEST, s.method().wire(), id(), s.message().toByteArray());
        String how = s.name();
        int n = rnd.nextInt(4) == 0 ? 2 : 1;
        for (int i = 0; i < n; i++) {
            // header fields only where the header still is
            int k = b.length < RawConnection.HEADER ? rnd.nextInt(3) : rnd.nextInt(6);
            switch (k) {
                case 0 -> {
                    b = flipBits(b);
                    how = "bitflip(" + how + ")";
                }
                case 1 -> {
                    b = editBytes(b);
                    how = "bytes(" + how + ")";
                }
                case 2 -> {
                    b = Arrays.copyOf(b, b.length == 0 ? 0 : rnd.nextInt(b.length));
                    how = "truncated(" + how + ")";
                }
                case 3 -> {
                    int len = rnd.nextInt(3) == 0 ? 10 + rnd.nextInt(Frame.MAX_FRAME - 9) : pick(LENGTHS);
                    ByteBuffer.wrap(b).putInt(0, len);
                    how = "length " + len + "(" + how + ")";
                }
                case 4 -> {
                    b[4] = (byte) (rnd.nextBoolean() ? pick(new int[] {0, 2, 3, 4, 5, 255}) : rnd.nextInt(256));
                    how = "kind " + (b[4] & 0xff) + "(" + how + ")";
                }
                default -> {
                    // another method's number: its payload is parsed as the wrong message
                    b[5] = (byte) (rnd.nextBoolean() ? 1 + rnd.nextInt(Method.values().length) : rnd.nextInt(256));
                    how = "method " + (b[5] & 0xff) + "(" + how + ")";
                }
            }
        }
        return new Input(b, how);
    }

    /** Several inputs back to back in one write: the brick must answer each complete frame in order. */
    private Input concatenated() {
        int n = 2 + rnd.nextInt(4);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder how = new StringBuilder("concat[");
        for (int i = 0; i < n; i++) {
            Input in = single();
            out.writeBytes(in.bytes());
            how.append(i == 0 ? "" : ", ").append(in.how());
        }
        return new Input(out.toByteArray(), how.append(']').toString());
    }

    /** The front of one input joined to the back of another. */
    private Input spliced() {
        Input a = single();
        Input b = single();
        int cutA = rnd.nextInt(a.bytes().length + 1);
        int cutB = rnd.nextInt(b.bytes().length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(a.bytes(), 0, cutA);
        out.write(b.bytes(), cutB, b.bytes().length - cutB);
        return new Input(out.toByteArray(), "splice(" + a.how() + " @" + cutA + ", " + b.how() + " @" + cutB + ")");
    }

    /** Valid requests whose ids repeat, go backwards or take extreme values: replies must still pair up. */
    private Input duplicateIds() {
        int n = 2 + rnd.nextInt(3);
        long[] choices = {7, 7, 3, 0, -1, Long.MAX_VALUE, Long.MIN_VALUE};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder how = new StringBuilder("ids[");
        for (int i = 0; i < n; i++) {
            FuzzCorpus.Seed s = seeds.get(rnd.nextInt(seeds.size()));
            long id = choices[rnd.nextInt(choices.length)];
            out.writeBytes(frame(Frame.REQUEST, s.method().wire(), id, s.message().toByteArray()));
            how.append(i == 0 ? "" : ", ").append(s.name()).append('#').append(id);
        }
        return new Input(out.toByteArray(), how.append(']').toString());
    }

    /** Bytes that are not the brick protocol at all: a stray HTTP client, a TLS hello, noise. */
    private Input garbage() {
        int r = rnd.nextInt(3);
        if (r == 0) {
            return new Input("GET / HTTP/1.1\r\nHost: brick\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "http");
        }
        if (r == 1) {
            return new Input(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03,
                0x03}, "tls");
        }
        byte[] b = new byte[1 + rnd.nextInt(64)];
        rnd.nextBytes(b);
        return new Input(b, "noise");
    }

    // ------------------------------------------------------------------------------------------ field mutations

    /** One to three fields, at any depth, set to hostile values; the result is still a well-formed message. */
    private Message mutateFields(Message m) {
        Message.Builder b = m.toBuilder();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            mutateField(b, 0);
        }
        return b.build();
    }

    private void mutateField(Message.Builder b, int depth) {
        List<FieldDescriptor> fields = b.getDescriptorForType().getFields();
        if (fields.isEmpty()) {
            return;
        }
        // set fields first: mutating what the seed uses reaches deeper than switching ops
        List<FieldDescriptor> set = List.copyOf(b.getAllFields().keySet());
        FieldDescriptor f = !set.isEmpty() && rnd.nextInt(3) > 0 ? set.get(rnd.nextInt(set.size()))
                : fields.get(rnd.nextInt(fields.size()));
        if (rnd.nextInt(10) == 0) {
            b.clearField(f);
            return;
        }
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            if (f.isRepeated()) {
                Message.Builder e = b.newBuilderForField(f);
                if (depth < 4) {
                    mutateField(e, depth + 1);
                }
                b.addRepeatedField(f, e.build());
            } else if (depth < 4) {
                Message.Builder e = ((Message) b.getField(f)).toBuilder();
                mutateField(e, depth + 1);
                b.setField(f, e.build());
            }
            return;
        }
        Object v = value(f);
        if (f.isRepeated()) {
            b.addRepeatedField(f, v);
        } else {
            b.setField(f, v);
        }
    }

    private Object value(FieldDescriptor f) {
        return switch (f.getJavaType()) {
            case INT -> rnd.nextInt(4) == 0 ? rnd.nextInt() : pick(INTS);
            case LONG -> rnd.nextInt(4) == 0 ? rnd.nextLong() : LONGS[rnd.nextInt(LONGS.length)];
            case BOOLEAN -> rnd.nextBoolean();
            case FLOAT -> rnd.nextFloat();
            case DOUBLE -> rnd.nextDouble();
            case STRING -> STRINGS[rnd.nextInt(STRINGS.length)];
            case BYTE_STRING -> {
                int[] lengths = {0, 1, 15, 16, 17, 64};
                byte[] b = new byte[pick(lengths)];
                rnd.nextBytes(b);
                yield ByteString.copyFrom(b);
            }
            case ENUM -> f.getEnumType().findValueByNumberCreatingIfUnknown(
                    rnd.nextBoolean() ? rnd.nextInt(5) : pick(new int[] {-1, 99, Integer.MAX_VALUE}));
            default -> throw new IllegalStateException(f.toString());
        };
    }

    // ------------------------------------------------------------------------------------------ byte mutations

    private byte[] flipBits(byte[] b) {
        byte[] c = b.clone();
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n && c.length > 0; i++) {
            int at = rnd.nextInt(c.length);
            c[at] ^= (byte) (1 << rnd.nextInt(8));
        }
        return c;
    }

    /** Overwrites, inserts or deletes a few bytes; half the time the frame length is fixed up to match. */
    private byte[] editBytes(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = rnd.nextInt(b.length + 1);
        int r = rnd.nextInt(3);
        if (r == 0 && at < b.length) {
            byte[] c = b.clone();
            c[at] = (byte) pick(new int[] {0, 0xff, 0x7f, 0x80, rnd.nextInt(256)});
            return c;
        }
        out.write(b, 0, at);
        if (r == 1) {
            byte[] ins = new byte[1 + rnd.nextInt(8)];
            rnd.nextBytes(ins);
            out.writeBytes(ins);
            out.write(b, at, b.length - at);
        } else {
            int del = Math.min(b.length - at, 1 + rnd.nextInt(8));
            out.write(b, at + del, b.length - at - del);
        }
        byte[] c = out.toByteArray();
        if (rnd.nextBoolean() && c.length >= 4) {
            ByteBuffer.wrap(c).putInt(0, c.length - 4);
        }
        return c;
    }

    /** Protobuf wire format from random tags and values: wrong wire types, lying lengths, unterminated varints. */
    private byte[] randomPayload() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (rnd.nextInt(4) == 0) {
            byte[] b = new byte[rnd.nextInt(200)];
            rnd.nextBytes(b);
            return b;
        }
        int fields = 1 + rnd.nextInt(8);
        for (int i = 0; i < fields; i++) {
            int number = rnd.nextInt(8) == 0 ? pick(new int[] {0, 19_000, 536_870_911}) : 1 + rnd.nextInt(48);
            int type = rnd.nextInt(10) == 0 ? 6 + rnd.nextInt(2) : pick(new int[] {0, 1, 2, 5, 2, 0, 3, 4});
            varint(out, ((long) number << 3) | type);
            switch (type) {
                case 0 -> varint(out, rnd.nextBoolean() ? rnd.nextInt(1000) : rnd.nextLong());
                case 1 -> out.writeBytes(ByteBuffer.allocate(8).putLong(rnd.nextLong()).array());
                case 5 -> out.writeBytes(ByteBuffer.allocate(4).putInt(rnd.nextInt()).array());
                case 2 -> {
                    byte[] v = rnd.nextBoolean() ? randomText() : new byte[rnd.nextInt(40)];
                    int claimed = rnd.nextInt(5) == 0 ? pick(new int[] {-1, v.length + 1, Integer.MAX_VALUE})
                            : v.length;
                    varint(out, claimed);
                    out.writeBytes(v);
                }
                default -> {
                    // groups (3, 4) and invalid wire types (6, 7) carry nothing
                }
            }
        }
        if (rnd.nextInt(10) == 0) {
            out.write(0x80); // a varint that never ends
        }
        return out.toByteArray();
    }

    private byte[] randomText() {
        return STRINGS[rnd.nextInt(STRINGS.length)].getBytes(StandardCharsets.UTF_8);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    // ------------------------------------------------------------------------------------------ frames

    private static byte[] frame(int kind, int method, long id, byte[] payload) {
        return RawConnection.frame(kind, method, id, payload);
    }

    private long id() {
        return nextId++;
    }

    private int pick(int[] choices) {
        return choices[rnd.nextInt(choices.length)];
    }
}
