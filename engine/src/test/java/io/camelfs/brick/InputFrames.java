package io.camelfs.brick;

import io.camelfs.protocol.Frame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An input read the way the brick reads its connection: the complete frames it holds (each must get exactly one
 * reply, with the same id), then how the bytes end -- cleanly, in the middle of a frame (the brick waits for the
 * rest), or at a length the brick refuses (it closes the connection).
 */
record InputFrames(List<Frame> frames, Tail tail) {
    enum Tail {
        CLEAN, PARTIAL, BAD_LENGTH
    }

    static InputFrames parse(byte[] b) {
        List<Frame> frames = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(b);
        for (;;) {
            if (!in.hasRemaining()) {
                return new InputFrames(frames, Tail.CLEAN);
            }
            if (in.remaining() < 4) {
                return new InputFrames(frames, Tail.PARTIAL);
            }
            int len = in.getInt();
            if (len < RawConnection.HEADER - 4 || len > Frame.MAX_FRAME) {
                return new InputFrames(frames, Tail.BAD_LENGTH);
            }
            if (in.remaining() < len) {
                return new InputFrames(frames, Tail.PARTIAL);
            }
            int kind = in.get() & 0xff;
            int method = in.get() & 0xff;
            long id = in.getLong();
            int start = in.position();
            in.position(start + len - (RawConnection.HEADER - 4));
            frames.add(new Frame(kind, method, id, Arrays.copyOfRange(b, start, in.position())));
        }
    }
}
