package io.camelfs.brick;

import io.camelfs.fop.Gfid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The brick's heal index: one small file per inode that needs heal, named by gfid, under
 * {@code .camelfs/index/pending} (some brick is blamed), {@code .camelfs/index/dirty} (an operation's outcome is
 * unknown) or {@code .camelfs/index/split-brain} (a healer found no good copy). Its content is the inode's volume
 * path when it was marked. The files are the durable record; a copy is kept in memory (read once at start) so
 * listing 100,000 entries for heal info costs no disk reads, and counts are O(1).
 */
public final class PendingIndex {
    public enum Kind {
        PENDING("pending"), DIRTY("dirty"), SPLIT_BRAIN("split-brain");

        final String folder;

        Kind(String folder) {
            this.folder = folder;
        }
    }

    /** One entry: the inode, the path it had when it was marked and, for split-brain, the kinds affected. */
    public record Entry(Gfid gfid, String path, int kinds) {
    }

    private final Map<Kind, Path> dirs = new EnumMap<>(Kind.class);
    private final Map<Kind, ConcurrentNavigableMap<String, Entry>> entries = new EnumMap<>(Kind.class);

    PendingIndex(Path metaDir) {
        for (Kind k : Kind.values()) {
            Path d = metaDir.resolve("index").resolve(k.folder);
            ConcurrentNavigableMap<String, Entry> m = new ConcurrentSkipListMap<>();
            try {
                Files.createDirectories(d);
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
                    for (Path p : ds) {
                        Entry e = read(k, p);
                        if (e != null) {
                            m.put(e.gfid().hex(), e);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dirs.put(k, d);
            entries.put(k, m);
        }
    }

    private static Entry read(Kind k, Path p) throws IOException {
        String name = p.getFileName().toString();
        Gfid g;
        try {
            g = Gfid.parse(name);
        } catch (IllegalArgumentException notOurs) {
            return null; // an editor's backup file or similar: not an index entry
        }
        String content;
        try {
            content = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } catch (NoSuchFileException gone) {
            return null;
        }
        if (k == Kind.SPLIT_BRAIN) {
            int sp = content.indexOf(' ');
            try {
                return new Entry(g, content.substring(sp + 1), Integer.parseInt(content.substring(0, sp)));
            } catch (RuntimeException torn) {
                return new Entry(g, "", 7); // torn by a crash: still split-brain, kinds unknown
            }
        }
        return new Entry(g, content, 0);
    }

    private static byte[] content(Entry e, Kind k) {
        String s = k == Kind.SPLIT_BRAIN ? e.kinds() + " " + e.path() : e.path();
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Marks the inode; a second mark only refreshes the recorded path. */
    public void add(Kind kind, Gfid gfid, String path) {
        add(kind, gfid, path, 0);
    }

    public void add(Kind kind, Gfid gfid, String path, int kinds) {
        if (gfid == null) {
            return;
        }
        Entry e = new Entry(gfid, path, kinds);
        Entry old = entries.get(kind).put(gfid.hex(), e);
        if (old != null && old.equals(e)) {
            return;
        }
        write(dirs.get(kind).resolve(gfid.hex()), content(e, kind));
    }

    private static void write(Path f, byte[] content) {
        try {
            Files.write(f, content, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** After a rename: the entries (if any) now name the new path. */
    public void moved(Gfid gfid, String newPath) {
        if (gfid == null) {
            return;
        }
        for (Kind k : Kind.values()) {
            Entry old = entries.get(k).get(gfid.hex());
            if (old != null) {
                add(k, gfid, newPath, old.kinds());
            }
        }
    }

    public void remove(Kind kind, Gfid gfid) {
        if (gfid == null || entries.get(kind).remove(gfid.hex()) == null) {
            return;
        }
        try {
            Files.deleteIfExists(dirs.get(kind).resolve(gfid.hex()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean contains(Kind kind, Gfid gfid) {
        return gfid != null && entries.get(kind).containsKey(gfid.hex());
    }

    public long count(Kind kind) {
        return entries.get(kind).size();
    }

    /** Up to max entries (0: all) in gfid order, after the given gfid (null: from the start). */
    public List<Entry> list(Kind kind, int max, Gfid after) {
        ConcurrentNavigableMap<String, Entry> m = entries.get(kind);
        Map<String, Entry> from = after == null ? m : m.tailMap(after.hex(), false);
        List<Entry> out = new ArrayList<>(Math.min(max > 0 ? max : m.size(), 65_536));
        for (Entry e : from.values()) {
            if (max > 0 && out.size() >= max) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    public List<Entry> list(Kind kind, int max) {
        return list(kind, max, null);
    }
}
