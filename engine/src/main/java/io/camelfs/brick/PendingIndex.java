package io.camelfs.brick;

import io.camelfs.fop.Gfid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The brick's heal index: one small file per inode that needs heal, named by gfid, under
 * {@code .camelfs/index/pending} (some brick is blamed) or {@code .camelfs/index/dirty} (an operation's outcome is
 * unknown). Its content is the inode's volume path when it was marked. Finding what needs heal is a listing of
 * this folder -- O(pending), never a crawl -- and the counts are kept in memory so reading them is O(1).
 */
public final class PendingIndex {
    public enum Kind {
        PENDING("pending"), DIRTY("dirty");

        final String folder;

        Kind(String folder) {
            this.folder = folder;
        }
    }

    /** One entry: the inode and the path it had when it was marked. */
    public record Entry(Gfid gfid, String path) {
    }

    private final Map<Kind, Path> dirs = new EnumMap<>(Kind.class);
    private final Map<Kind, AtomicLong> counts = new EnumMap<>(Kind.class);

    PendingIndex(Path metaDir) {
        for (Kind k : Kind.values()) {
            Path d = metaDir.resolve("index").resolve(k.folder);
            try {
                Files.createDirectories(d);
                long n;
                try (var s = Files.list(d)) {
                    n = s.count();
                }
                counts.put(k, new AtomicLong(n));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dirs.put(k, d);
        }
    }

    /** Marks the inode; a second mark only refreshes the recorded path. */
    public void add(Kind kind, Gfid gfid, String path) {
        if (gfid == null) {
            return;
        }
        Path f = dirs.get(kind).resolve(gfid.hex());
        byte[] content = path.getBytes(StandardCharsets.UTF_8);
        try {
            Files.write(f, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            counts.get(kind).incrementAndGet();
        } catch (FileAlreadyExistsException e) {
            rewrite(f, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** After a rename: the entry (if any) now names the new path. */
    public void moved(Gfid gfid, String newPath) {
        if (gfid == null) {
            return;
        }
        for (Kind k : Kind.values()) {
            Path f = dirs.get(k).resolve(gfid.hex());
            if (Files.exists(f)) {
                rewrite(f, newPath.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void rewrite(Path f, byte[] content) {
        try {
            Files.write(f, content, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (NoSuchFileException gone) {
            // healed meanwhile: nothing to refresh
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void remove(Kind kind, Gfid gfid) {
        if (gfid == null) {
            return;
        }
        try {
            if (Files.deleteIfExists(dirs.get(kind).resolve(gfid.hex()))) {
                counts.get(kind).decrementAndGet();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean contains(Kind kind, Gfid gfid) {
        return gfid != null && Files.exists(dirs.get(kind).resolve(gfid.hex()));
    }

    public long count(Kind kind) {
        return counts.get(kind).get();
    }

    /** Up to max entries, in no particular order. */
    public List<Entry> list(Kind kind, int max) {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dirs.get(kind))) {
            for (Path p : ds) {
                if (out.size() >= max) {
                    break;
                }
                try {
                    Gfid g = Gfid.parse(p.getFileName().toString());
                    out.add(new Entry(g, new String(Files.readAllBytes(p), StandardCharsets.UTF_8)));
                } catch (NoSuchFileException | IllegalArgumentException skip) {
                    // removed concurrently, or not an index file
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
