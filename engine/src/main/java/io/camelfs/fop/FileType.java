package io.camelfs.fop;

/** File types as encoded in the S_IFMT bits of st_mode. */
public enum FileType {
    REGULAR(0100000, '-'),
    DIRECTORY(0040000, 'd'),
    SYMLINK(0120000, 'l'),
    FIFO(0010000, 'p'),
    SOCKET(0140000, 's'),
    CHAR_DEVICE(0020000, 'c'),
    BLOCK_DEVICE(0060000, 'b');

    public static final int S_IFMT = 0170000;
    private final int bits;
    private final char letter;

    FileType(int bits, char letter) {
        this.bits = bits;
        this.letter = letter;
    }

    public int bits() {
        return bits;
    }

    /** The letter ls -l prints. */
    public char letter() {
        return letter;
    }

    public static FileType ofMode(int mode) {
        int t = mode & S_IFMT;
        for (FileType f : values()) {
            if (f.bits == t) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown file type in mode " + Integer.toOctalString(mode));
    }

    /** Only regular files and directories can carry user.* extended attributes on Linux. */
    public boolean carriesUserXattrs() {
        return this == REGULAR || this == DIRECTORY;
    }
}
