package io.camelfs.dist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** A brick directory read with plain file APIs, as an operator would: names, types, gfids, content digests. */
final class BrickTree {
    private BrickTree() {
    }

    /** path -> "type gfid sha256 mode" for everything below the root except the metadata folder. */
    static TreeMap<String, String> of(Path brick) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(brick)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = brick.relativize(p).toString();
                if (rel.isEmpty() || rel.equals(".camelfs") || rel.startsWith(".camelfs/")) {
                    continue;
                }
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                String v;
                if (Files.isSymbolicLink(p)) {
                    v = "l " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p)) {
                    v = "d " + xattr(p, "camelfs.gfid");
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    v = "f " + xattr(p, "camelfs.gfid") + " " + sha256(Files.readAllBytes(p));
                } else {
                    v = "special"; // fifos and sockets: opening one would block, and they carry no xattrs
                }
                out.put(rel, v + " " + Integer.toOctalString(mode));
            }
        }
        return out;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String xattr(Path p, String name) throws IOException {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (!v.list().contains(name)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(v.size(name));
        v.read(name, b);
        return HexFormat.of().formatHex(b.array());
    }

    /** Pending counters blaming brick i (data, metadata, entry), or null. */
    static int[] pending(Path p, String volume, int brick) throws IOException {
        String hex = xattr(p, "camelfs.afr." + volume + "-client-" + brick);
        if (hex == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(HexFormat.of().parseHex(hex));
        return new int[] {b.getInt(), b.getInt(), b.getInt()};
    }

    /** Paths (relative to the brick) of regular files and directories that blame brick i. */
    static Set<String> blaming(Path brick, String volume, int i) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(brick)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = brick.relativize(p).toString();
                if (rel.equals(".camelfs") || rel.startsWith(".camelfs/") || Files.isSymbolicLink(p)
                        || !(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(p))) {
                    continue;
                }
                if (pending(p, volume, i) != null) {
                    out.add(rel.isEmpty() ? "/" : rel);
                }
            }
        }
        return out;
    }
}
