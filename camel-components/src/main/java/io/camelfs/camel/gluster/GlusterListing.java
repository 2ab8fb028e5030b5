package io.camelfs.camel.gluster;

import io.camelfs.fop.DirEntry;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.VolumePath;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** A directory's entries, read from the volume a page at a time as they are iterated, filtered by a glob. */
final class GlusterListing implements Iterator<GlusterFile> {
    private static final int PAGE = 1000;
    private final FileOps ops;
    private final String dir;
    private final PathMatcher match;
    private final Deque<GlusterFile> page = new ArrayDeque<>();
    private long cookie;
    private boolean eof;

    GlusterListing(FileOps ops, String dir, PathMatcher match) {
        this.ops = ops;
        this.dir = dir;
        this.match = match;
    }

    @Override
    public boolean hasNext() {
        while (page.isEmpty() && !eof) {
            DirPage p = ops.readdir(dir, cookie, PAGE, true);
            for (DirEntry e : p.entries()) {
                cookie = e.cookie();
                String path = VolumePath.child(dir, e.name());
                if (match == null || match.matches(Path.of(path))) {
                    page.add(GlusterFile.of(path, e.attr()));
                }
            }
            eof = p.eof() || p.entries().isEmpty();
        }
        return !page.isEmpty();
    }

    @Override
    public GlusterFile next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return page.removeFirst();
    }
}
