package io.camelfs.brick;

import io.camelfs.afr.Counters;
import io.camelfs.fop.FileType;
import io.camelfs.fop.SetAttr;
import io.camelfs.fop.VolumePath;
import io.camelfs.protocol.v1.FopRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Which inodes an operation changes, and how: the places AFR records blame (pending counters) when a brick missed
 * the operation, and dirty marks when its outcome is unknown. Entry operations change their parent directories;
 * a created inode is all new (data and metadata); data and metadata operations change the inode itself.
 */
final class Targets {
    /** An inode by path, and the changelog kinds to record on it. */
    record Target(String path, int kinds) {
    }

    private Targets() {
    }

    static boolean mutating(FopRequest r) {
        switch (r.getOpCase()) {
            case CREATE: case MKDIR: case MKNOD: case SYMLINK: case LINK: case UNLINK: case RMDIR: case RENAME:
            case WRITE: case TRUNCATE: case SETATTR: case SETXATTR: case REMOVEXATTR: case FALLOCATE: case UNDO:
            case INSTALL: case SET_META: case EXPUNGE:
                return true;
            default:
                return false;
        }
    }

    static List<Target> of(FopRequest r) {
        List<Target> t = new ArrayList<>(2);
        switch (r.getOpCase()) {
            case CREATE:
                created(t, r.getCreate().getPath(), true);
                break;
            case MKDIR:
                created(t, r.getMkdir().getPath(), true);
                break;
            case MKNOD:
                created(t, r.getMknod().getPath(), true);
                break;
            case SYMLINK:
                created(t, r.getSymlink().getPath(), false);
                break;
            case LINK:
                parentEntry(t, r.getLink().getPath());
                break;
            case UNLINK:
                parentEntry(t, r.getUnlink().getPath());
                break;
            case RMDIR:
                parentEntry(t, r.getRmdir().getPath());
                break;
            case UNDO:
                parentEntry(t, r.getUndo().getPath());
                break;
            case EXPUNGE:
                parentEntry(t, r.getExpunge().getPath());
                break;
            case INSTALL:
                int type = r.getInstall().getStat().getMode() & FileType.S_IFMT;
                created(t, r.getInstall().getPath(), r.getInstall().getLinkTo().isEmpty()
                        && (type == FileType.REGULAR.bits()
                                || type == FileType.DIRECTORY.bits()));
                break;
            case SET_META:
                t.add(new Target(r.getSetMeta().getPath(), Counters.METADATA));
                break;
            case RENAME:
                parentEntry(t, r.getRename().getFrom());
                String to = VolumePath.parent(VolumePath.normalize(r.getRename().getTo()));
                if (!to.equals(t.get(0).path())) {
                    t.add(new Target(to, Counters.ENTRY));
                }
                break;
            case WRITE:
                t.add(new Target(r.getWrite().getPath(), Counters.DATA));
                break;
            case TRUNCATE:
                t.add(new Target(r.getTruncate().getPath(), Counters.DATA));
                break;
            case FALLOCATE:
                t.add(new Target(r.getFallocate().getPath(), Counters.DATA));
                break;
            case SETATTR:
                int valid = r.getSetattr().getValid();
                int kinds = ((valid & SetAttr.SIZE) != 0 ? Counters.DATA : 0)
                        | ((valid & ~SetAttr.SIZE) != 0 ? Counters.METADATA : 0);
                t.add(new Target(r.getSetattr().getPath(), kinds));
                break;
            case SETXATTR:
                t.add(new Target(r.getSetxattr().getPath(), Counters.METADATA));
                break;
            case REMOVEXATTR:
                t.add(new Target(r.getRemovexattr().getPath(), Counters.METADATA));
                break;
            default:
                break;
        }
        return t;
    }

    private static void created(List<Target> t, String path, boolean hasXattrs) {
        parentEntry(t, path);
        if (hasXattrs) {
            t.add(new Target(path, Counters.DATA | Counters.METADATA));
        }
    }

    private static void parentEntry(List<Target> t, String path) {
        t.add(new Target(VolumePath.parent(VolumePath.normalize(path)), Counters.ENTRY));
    }
}
