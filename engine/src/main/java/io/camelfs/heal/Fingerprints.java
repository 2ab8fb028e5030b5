package io.camelfs.heal;

import com.google.protobuf.ByteString;
import io.camelfs.afr.Replicas;
import io.camelfs.fop.FileType;
import io.camelfs.fop.Gfid;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Checksums;
import io.camelfs.protocol.v1.Fetch;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Xattr;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each copy of an inode holds, reduced to a string that is equal exactly when the copies are: for data the
 * size and SHA-256 of the content, for metadata the mode, owner, user xattrs and times. Used where the changelogs
 * do not say which copy is right (dirty marks, a full crawl, split-brain policies).
 */
final class Fingerprints {
    private static final int BLOCK = 8 << 20;

    private Fingerprints() {
    }

    static Map<Integer, String> data(Replicas r, Collection<Integer> bricks, String path, Gfid gfid,
            List<String> keys, long maxSize) {
        Map<Integer, Replicas.Call> calls = new TreeMap<>();
        for (int b : bricks) {
            calls.put(b, r.start(b, FopRequest.newBuilder().setChecksums(Checksums.newBuilder().setPath(path)
                    .setGfid(Wire.gfid(gfid)).setBlockSize(BLOCK).setOffset(0)
                    .setBlocks((int) Math.min(65_536, maxSize / BLOCK + 1))), Replicas.held(keys), false));
        }
        Map<Integer, String> out = new TreeMap<>();
        calls.forEach((b, c) -> {
            MessageDigest sha = sha256();
            for (ByteString s : c.get().getChecksumsList()) {
                sha.update(s.asReadOnlyByteBuffer());
            }
            out.put(b, HexFormat.of().formatHex(sha.digest()));
        });
        return out;
    }

    /** The Fetch reply (without data) of each brick: its image, for metadata comparison and repair. */
    static Map<Integer, FopReply> images(Replicas r, Collection<Integer> bricks, String path, Gfid gfid,
            List<String> keys) {
        Map<Integer, Replicas.Call> calls = new TreeMap<>();
        for (int b : bricks) {
            calls.put(b, r.start(b, FopRequest.newBuilder().setFetch(Fetch.newBuilder().setPath(path)
                    .setGfid(Wire.gfid(gfid)).setMaxData(0)), Replicas.held(keys), false));
        }
        Map<Integer, FopReply> out = new TreeMap<>();
        calls.forEach((b, c) -> out.put(b, c.get()));
        return out;
    }

    /** Mode, owner, user xattrs and -- except for directories, whose mtime follows entry heal -- times. */
    static String metadata(FopReply image) {
        var st = image.getStat();
        StringBuilder sb = new StringBuilder();
        sb.append(Integer.toOctalString(st.getMode())).append(' ').append(st.getUid()).append(':')
                .append(st.getGid());
        if ((st.getMode() & FileType.S_IFMT) != FileType.DIRECTORY.bits()) {
            sb.append(" a").append(st.getAtime().getSec()).append('.').append(st.getAtime().getNsec())
                    .append(" m").append(st.getMtime().getSec()).append('.').append(st.getMtime().getNsec());
        }
        for (Xattr x : image.getXattrsList()) {
            sb.append(' ').append(x.getName()).append('=').append(HexFormat.of().formatHex(x.getValue()
                    .toByteArray()));
        }
        return sb.toString();
    }

    static Map<Integer, String> metadata(Map<Integer, FopReply> images) {
        Map<Integer, String> out = new TreeMap<>();
        images.forEach((b, i) -> out.put(b, metadata(i)));
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
