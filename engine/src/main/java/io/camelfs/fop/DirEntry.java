package io.camelfs.fop;

/**
 * One directory entry; attr is null unless attributes were asked for, and target (a symlink's) is filled only
 * with them.
 */
public record DirEntry(String name, FileType type, long cookie, Attr attr, String target) {
    public DirEntry(String name, FileType type, long cookie, Attr attr) {
        this(name, type, cookie, attr, null);
    }
}
