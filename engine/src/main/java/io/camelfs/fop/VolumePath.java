package io.camelfs.fop;

/**
 * Volume-relative paths: "a/b/c", with "" for the volume root. Callers may write a leading "/" (as FUSE does);
 * "..", "." as a component, NUL bytes and empty components are refused, so a path can never name anything outside
 * the volume. Bricks check again, and resolve beneath their root in the kernel as well.
 */
public final class VolumePath {
    /** Linux PATH_MAX, counted in bytes including the terminating NUL. */
    public static final int PATH_MAX = 4096;
    public static final int NAME_MAX = 255;

    private VolumePath() {
    }

    public static String normalize(String path) {
        if (path == null) {
            throw new FopException(Errno.EINVAL, "path missing");
        }
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty() || p.equals(".")) {
            return "";
        }
        if (p.indexOf('\0') >= 0) {
            throw new FopException(Errno.EINVAL, "path contains a NUL byte");
        }
        // components are checked in place: a substring per component was a quarter of what a mount allocated
        int start = 0;
        StringBuilder out = null;
        while (start <= p.length()) {
            int slash = p.indexOf('/', start);
            int end = slash < 0 ? p.length() : slash;
            int len = end - start;
            boolean dot = len == 1 && p.charAt(start) == '.';
            if (len == 2 && p.charAt(start) == '.' && p.charAt(start + 1) == '.') {
                throw new FopException(Errno.EINVAL, "'" + path + "': '..' would leave the volume");
            }
            if (len == 0 || dot) {
                // "a//b" and "a/./b" name "a/b", as they would on a local filesystem
                if (out == null) {
                    out = new StringBuilder(p.substring(0, start > 0 ? start - 1 : 0));
                }
            } else {
                if (utf8Length(p, start, end) > NAME_MAX) {
                    throw new FopException(Errno.ENAMETOOLONG, "'" + abbreviate(p.substring(start, end))
                            + "': File name too long");
                }
                if (out != null) {
                    if (out.length() > 0) {
                        out.append('/');
                    }
                    out.append(p, start, end);
                }
            }
            if (slash < 0) {
                break;
            }
            start = slash + 1;
        }
        String result = out == null ? p : out.toString();
        // with its NUL the path must fit PATH_MAX: 4095 bytes are a path Linux takes, 4096 are ENAMETOOLONG
        if (utf8Length(result) + 1 > PATH_MAX) {
            throw new FopException(Errno.ENAMETOOLONG, "path of " + utf8Length(result) + " bytes: File name too long");
        }
        return result;
    }

    public static String parent(String normalized) {
        int i = normalized.lastIndexOf('/');
        return i < 0 ? "" : normalized.substring(0, i);
    }

    public static String name(String normalized) {
        int i = normalized.lastIndexOf('/');
        return i < 0 ? normalized : normalized.substring(i + 1);
    }

    public static String child(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    /** "/a/b" for display; "/" for the root. */
    public static String display(String normalized) {
        return "/" + normalized;
    }

    static int utf8Length(String s) {
        return utf8Length(s, 0, s.length());
    }

    private static int utf8Length(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }
}
