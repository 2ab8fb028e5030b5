package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileType;
import io.camelfs.protocol.v1.Create;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Mkdir;
import io.camelfs.protocol.v1.Mknod;
import io.camelfs.testing.BrickInspector;
import io.camelfs.testing.LocalVolume;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request the brick refuses changes nothing on disk, and malformed fields are refused as the client's error
 * (EINVAL), not as the brick's (EIO, an internal error). Found by {@link ProtocolFuzzTest}; each test here pins
 * one case it found.
 */
class RejectedRequestTest {
    @TempDir
    Path tmp;
    private LocalVolume volume;
    private Path brick;
    private int port;

    @BeforeEach
    void start() throws IOException {
        volume = new LocalVolume(tmp.resolve("v"), 1);
        brick = volume.dirs.get(0);
        port = volume.spec.bricks().get(0).port();
    }

    @AfterEach
    void stop() {
        volume.close();
    }

    /** A create or mkdir without a gfid used to make the inode, fail setting the gfid, and leave it behind. */
    @Test
    void aCreateOrMkdirWithoutGfidLeavesNothingBehind() throws Exception {
        Map<String, String> before = BrickInspector.snapshot(brick, true);
        assertEquals(Errno.EINVAL, call(FopRequest.newBuilder().setCreate(Create.newBuilder().setPath("no-gfid")
                .setMode(0644).setData(ByteString.copyFromUtf8("x")))).getErrno());
        assertEquals(Errno.EINVAL, call(FopRequest.newBuilder().setMkdir(Mkdir.newBuilder().setPath("no-gfid-dir")
                .setMode(0755))).getErrno());
        assertEquals(Errno.EINVAL, call(FopRequest.newBuilder().setMknod(Mknod.newBuilder().setPath("no-gfid-node")
                .setMode(FileType.REGULAR.bits() | 0644))).getErrno());
        assertEquals(before, BrickInspector.snapshot(brick, true));
    }

    /** One file operation on a fresh connection. */
    private FopReply call(FopRequest.Builder op) throws IOException {
        try (RawConnection c = new RawConnection(port)) {
            return c.call(op.build());
        }
    }
}
