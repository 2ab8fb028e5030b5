package io.camelfs.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reads a brick directory with ordinary Java file APIs, as an operator would with getfattr and ls. */
public final class BrickInspector {
    private BrickInspector() {
    }

    /** The raw value of user.camelfs.NAME on a brick file, hex, or null when absent. */
    public static String xattr(Path p, String name) throws IOException {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        if (!v.list().contains(name)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(v.size(name));
        v.read(name, b);
        return HexFormat.of().formatHex(b.array());
    }

    public static String gfid(Path p) throws IOException {
        return xattr(p, "camelfs.gfid");
    }

    /** The pending counters blaming brick i, as (data, metadata, entry), or null. */
    public static int[] pending(Path p, String volume, int brick) throws IOException {
        String hex = xattr(p, "camelfs.afr." + volume + "-client-" + brick);
        if (hex == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(HexFormat.of().parseHex(hex));
        return new int[] {b.getInt(), b.getInt(), b.getInt()};
    }

    /** gfid hex names in the brick's pending (or dirty) index. */
    public static Set<String> index(Path brick, String kind) throws IOException {
        try (Stream<Path> s = Files.list(brick.resolve(".camelfs/index/" + kind))) {
            return s.map(x -> x.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Every path below the brick root (without the metadata folder), with type and content digest. */
    public static Set<String> tree(Path brick) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(brick)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = brick.relativize(p).toString();
                if (rel.isEmpty() || rel.equals(".camelfs") || rel.startsWith(".camelfs/")) {
                    continue;
                }
                String what;
                if (Files.isSymbolicLink(p)) {
                    what = "l:" + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p)) {
                    what = "d:" + gfid(p);
                } else if (Files.isRegularFile(p)) {
                    what = "f:" + gfid(p) + ":" + HexFormat.of().formatHex(java.security.MessageDigest
                            .getInstance("SHA-256").digest(Files.readAllBytes(p)));
                } else {
                    what = "o";
                }
                out.add(rel + " " + what);
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
