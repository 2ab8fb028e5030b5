package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.camelfs.fop.Errno;
import io.camelfs.fop.Gfid;
import io.camelfs.protocol.Frame;
import io.camelfs.protocol.Method;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Create;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.Link;
import io.camelfs.protocol.v1.Lookup;
import io.camelfs.protocol.v1.Mkdir;
import io.camelfs.protocol.v1.Rename;
import io.camelfs.protocol.v1.Symlink;
import io.camelfs.volume.BrickAddress;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names that are not UTF-8. Linux names are bytes, but every path on the brick protocol is a protobuf {@code string},
 * which must be valid UTF-8: the wire cannot carry such a name, and a request that tries (crafted byte by byte here,
 * since no builder will make one) is refused whole with an INVALID error before anything runs. A name already on a
 * brick's disk that is not UTF-8 cannot be named by any request either, so a listing leaves it out.
 *
 * <p>The mount: jnr-fuse hands CamelfsFuse each path as a Java String it decodes with the JVM's default charset
 * (UTF-8: bin/camelfs and MountCommand set file.encoding) and CodingErrorAction.REPLACE. A name with invalid UTF-8
 * given to the mount therefore arrives with U+FFFD in place of each bad sequence, and create("a\xff") makes a file
 * named "a\uFFFD" (bytes EF BF BD) instead of failing as the wire does. Nothing leaves the brick that way, but
 * it is not what a local filesystem does (it would keep the bytes); the mount is left as it is.
 */
class PathContainmentUtf8Test {
    /** Byte sequences no UTF-8 decoder may accept, each replacing a placeholder of the same length. */
    private static final byte[][] INVALID = {
        {(byte) 0xff},                                      // never in UTF-8
        {(byte) 0x80},                                      // a continuation byte on its own
        {(byte) 0xc0, (byte) 0xaf},                         // overlong '/': the classic "..%c0%af" traversal
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80},            // a UTF-16 surrogate (CESU-8), not a character
        {(byte) 0xe2, (byte) 0x82},                         // a 3-byte sequence cut short
        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
    };

    @TempDir
    Path tmp;
    private HostileBrick brick;
    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    private long ids;

    @BeforeEach
    void start() throws Exception {
        brick = new HostileBrick(tmp.resolve("v"));
        Files.createDirectories(tmp.resolve("outside"));
        assertEquals(0, brick.create("file", "inside").getErrno());
        BrickAddress a = brick.volume.spec.bricks().get(0);
        socket = new Socket(a.host(), a.port());
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new DataOutputStream(socket.getOutputStream());
    }

    @AfterEach
    void stop() throws Exception {
        socket.close();
        brick.close();
    }

    @Test
    void aPathThatIsNotUtf8IsRefusedAndChangesNothing() throws Exception {
        TreeSnapshot before = TreeSnapshot.of(brick.dir);
        for (byte[] bad : INVALID) {
            String hole = "#".repeat(bad.length);
            // with the overlong '/', a decoder that let it through would read "../outside/x"
            String traversal = ".." + hole + "outside" + hole + "x";
            assertRefused(create(traversal), traversal, bad);
            assertRefused(create("new" + hole), "new" + hole, bad);
        }
        byte[] ff = INVALID[0];
        assertRefused(FopRequest.newBuilder().setMkdir(Mkdir.newBuilder().setPath("dir#")
                .setGfid(Wire.gfid(Gfid.random())).setMode(0755)), "dir#", ff);
        assertRefused(FopRequest.newBuilder().setRename(Rename.newBuilder().setFrom("file").setTo("moved#")),
                "moved#", ff);
        assertRefused(FopRequest.newBuilder().setLink(Link.newBuilder().setExisting("file").setPath("link#")),
                "link#", ff);
        assertRefused(FopRequest.newBuilder().setLink(Link.newBuilder().setExisting("fil#").setPath("link")),
                "fil#", ff);
        assertRefused(FopRequest.newBuilder().setSymlink(Symlink.newBuilder().setPath("sym").setTarget("target#")),
                "target#", ff);
        assertEquals(before, TreeSnapshot.of(brick.dir), "nothing on disk changed");
        try (Stream<Path> s = Files.list(tmp.resolve("outside"))) {
            assertEquals(0, s.count(), "nothing reached the directory next to the brick");
        }

        // the refusal ends the request, not the connection: the next one is served
        Frame ok = exchange(FopRequest.newBuilder().setLookup(Lookup.newBuilder().setPath("file")).setHeader(header())
                .build().toByteArray());
        assertEquals(Frame.REPLY, ok.kind());
        assertEquals(0, FopReply.parseFrom(ok.payload()).getErrno());
    }

    @Test
    void aNameOnDiskThatIsNotUtf8IsNotListed() throws Exception {
        // made behind the brick's back, as an administrator could: java.nio cannot spell it, printf can
        Process touch = new ProcessBuilder("sh", "-c", "touch \"$(printf 'raw\\377name')\"")
                .directory(brick.dir.toFile()).inheritIO().start();
        assertEquals(0, touch.waitFor());
        assertTrue(hasRawName(brick.dir), "the name is there, as bytes");
        List<String> listed = brick.list("");
        assertEquals(List.of("file"), listed, "listed: every name the protocol can carry, and only those");
        assertEquals(Errno.ENOENT, brick.lookup("raw\uFFFDname").getErrno(), "U+FFFD is another name");
        assertFalse(listed.stream().anyMatch(n -> n.indexOf('\uFFFD') >= 0));
    }

    /**
     * The request, serialized, with each '#' run in the field text replaced by bad (as long as the run, so every
     * length prefix stays right), must be refused. Only text's own bytes are patched: a '#' byte elsewhere (a gfid,
     * a length) is left alone.
     */
    private void assertRefused(FopRequest.Builder r, String text, byte[] bad) throws Exception {
        byte[] payload = r.setHeader(header()).build().toByteArray();
        byte[] field = text.getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(payload, field);
        assertTrue(at >= 0, text + " in " + r);
        for (int i = 0; i < field.length; i++) {
            if (field[i] == '#') {
                System.arraycopy(bad, 0, payload, at + i, bad.length);
                i += bad.length - 1;
            }
        }
        Frame reply = exchange(payload);
        String what = r.getOpCase() + " with " + Arrays.toString(bad);
        assertEquals(Frame.ERROR, reply.kind(), what + " must not be served");
        assertEquals(Frame.INVALID, reply.errorCode(), what);
        assertTrue(reply.errorMessage().contains("invalid UTF-8"), what + ": " + reply.errorMessage());
    }

    private static FopRequest.Builder create(String path) {
        return FopRequest.newBuilder().setCreate(Create.newBuilder().setPath(path).setGfid(Wire.gfid(Gfid.random()))
                .setMode(0644));
    }

    private Header.Builder header() {
        return Header.newBuilder().setSession(ByteString.copyFrom(new byte[16]));
    }

    private Frame exchange(byte[] payload) throws Exception {
        Frame.request(Method.CALL, ++ids, payload).write(out);
        return Frame.read(in);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean hasRawName(Path dir) throws Exception {
        Process ls = new ProcessBuilder("ls", "-b", dir.toString()).start();
        String names = new String(ls.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        ls.waitFor();
        return names.contains("raw\\377name");
    }
}
