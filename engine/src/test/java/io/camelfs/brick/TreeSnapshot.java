package io.camelfs.brick;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Everything a brick could have changed in a directory tree it must never touch: each entry's inode, link count,
 * mode, size, times, user xattrs and content. ctime is in it, so even a hard link made to a file (which only bumps
 * its link count) or a chmod undone shows. Symlinks are recorded, never followed.
 */
record TreeSnapshot(Map<String, String> entries) {
    static TreeSnapshot of(Path root) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                out.put(root.relativize(p).toString(), describe(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TreeSnapshot(out);
    }

    /** The inode numbers in the tree (links included), to tell whether a reply ever described one of them. */
    Set<Long> inodes(Path root) {
        Set<Long> ino = new HashSet<>();
        for (String name : entries.keySet()) {
            ino.add(inode(root.resolve(name)));
        }
        return ino;
    }

    static long inode(Path p) {
        try {
            return (Long) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:ino,nlink,mode,size,lastModifiedTime,ctime",
                LinkOption.NOFOLLOW_LINKS);
        StringBuilder s = new StringBuilder(new TreeMap<>(a).toString());
        if (Files.isSymbolicLink(p)) {
            s.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            s.append(" content=").append(Arrays.toString(Files.readAllBytes(p)));
        }
        if (!Files.isSymbolicLink(p)) {
            UserDefinedFileAttributeView x = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
            for (String n : x.list()) {
                ByteBuffer v = ByteBuffer.allocate(x.size(n));
                x.read(n, v);
                s.append(" xattr ").append(n).append('=').append(Arrays.toString(v.array()));
            }
        }
        return s.toString();
    }
}
