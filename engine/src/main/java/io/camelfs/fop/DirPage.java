package io.camelfs.fop;

import java.util.List;

/** One page of a directory listing; continue from the last entry's cookie until eof. */
public record DirPage(List<DirEntry> entries, boolean eof) {
}
