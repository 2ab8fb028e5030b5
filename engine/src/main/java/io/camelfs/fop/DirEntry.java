package io.camelfs.fop;

/** One directory entry; attr is null unless attributes were asked for. */
public record DirEntry(String name, FileType type, long cookie, Attr attr) {
}
