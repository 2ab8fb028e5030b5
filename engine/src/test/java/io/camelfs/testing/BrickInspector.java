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

    /**
     * Every path below the brick root (without the metadata folder) with everything heal must make equal: type,
     * gfid, content digest (unless withData is false: the arbiter), mode, owner, link count, atime and mtime in
     * nanoseconds, symlink target and user xattrs.
     */
    public static java.util.Map<String, String> snapshot(Path brick, boolean withData) throws IOException {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (Path p : walk(brick)) {
            String rel = brick.relativize(p).toString();
            var a = Files.readAttributes(p, "unix:mode,uid,gid,nlink,lastAccessTime,lastModifiedTime",
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            StringBuilder sb = new StringBuilder();
            int mode = (Integer) a.get("mode");
            sb.append(Integer.toOctalString(mode)).append(' ').append(a.get("uid")).append(':')
                    .append(a.get("gid")).append(" n").append(a.get("nlink"));
            if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(p)) {
                // not a directory's or symlink's: listing the one and reading the other move their atime on
                // each brick separately (relatime), and readlink has no O_NOATIME
                sb.append(" a").append(nanos(a.get("lastAccessTime")));
            }
            sb.append(" m").append(nanos(a.get("lastModifiedTime")));
            if (Files.isSymbolicLink(p)) {
                sb.append(" -> ").append(Files.readSymbolicLink(p));
            } else if (Files.isDirectory(p) || Files.isRegularFile(p)) {
                sb.append(" gfid ").append(gfid(p));
                if (Files.isRegularFile(p) && withData) {
                    sb.append(" sha ").append(HexFormat.of().formatHex(sha256(readNoatime(p))));
                }
                UserDefinedFileAttributeView v = Files.getFileAttributeView(p,
                        UserDefinedFileAttributeView.class);
                for (String n : new TreeSet<>(v.list())) {
                    if (!n.startsWith("camelfs.")) {
                        ByteBuffer b = ByteBuffer.allocate(v.size(n));
                        v.read(n, b);
                        sb.append(" x:").append(n).append('=').append(HexFormat.of().formatHex(b.array()));
                    }
                }
            }
            out.put(rel.isEmpty() ? "/" : rel, sb.toString());
        }
        return out;
    }

    /** Everything below the brick root, the root included, without the metadata folder (which keeps changing). */
    public static java.util.List<Path> walk(Path brick) throws IOException {
        java.util.List<Path> out = new java.util.ArrayList<>();
        Files.walkFileTree(brick, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
                    java.nio.file.attribute.BasicFileAttributes attrs) {
                if (dir.equals(brick.resolve(".camelfs"))) {
                    return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                }
                out.add(dir);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                out.add(file);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    /** The content, read as the brick reads it: without moving the file's atime. */
    public static byte[] readNoatime(Path p) {
        int fd = io.camelfs.posix.Posix.openat(io.camelfs.posix.Posix.AT_FDCWD, p.toAbsolutePath().toString(),
                io.camelfs.posix.Posix.O_RDONLY | io.camelfs.posix.Posix.O_NOATIME
                        | io.camelfs.posix.Posix.O_NOFOLLOW, 0);
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[1 << 20];
            long off = 0;
            for (;;) {
                int n = io.camelfs.posix.Posix.pread(fd, buf, buf.length, off);
                if (n <= 0) {
                    return out.toByteArray();
                }
                out.write(buf, 0, n);
                off += n;
            }
        } finally {
            io.camelfs.posix.Posix.close(fd);
        }
    }

    /** The entries of two snapshots that differ, one per line, for assertion messages. */
    public static String difference(java.util.Map<String, String> a, java.util.Map<String, String> b) {
        StringBuilder sb = new StringBuilder();
        java.util.Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            if (!java.util.Objects.equals(a.get(k), b.get(k))) {
                sb.append("\n  ").append(k).append(": ").append(a.get(k)).append("\n  ").append(k.replaceAll(".", " "))
                        .append("  ").append(b.get(k));
            }
        }
        return sb.toString();
    }

    private static String nanos(Object fileTime) {
        java.time.Instant i = ((java.nio.file.attribute.FileTime) fileTime).toInstant();
        return i.getEpochSecond() + "." + String.format("%09d", i.getNano());
    }

    private static byte[] sha256(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
