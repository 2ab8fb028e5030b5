package io.camelfs.brick;

import io.camelfs.fop.Attr;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.SetAttr;
import io.camelfs.fop.VolumePath;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Setattr;

/**
 * POSIX permission checks for a squashed caller, which the brick (running as root) must make itself: the client's
 * kernel checked the request as root. The rules are stat(2)'s mode bits as a local filesystem applies them -- search
 * on every directory above, write and search on the parent to add or remove a name, the sticky bit, owner-only
 * chmod and utimes, no chown -- without ACLs. Heal's own operations carry no caller and are not checked here.
 */
final class AccessCheck {
    private static final int R = 4;
    private static final int W = 2;
    private static final int X = 1;

    private final PosixStore store;

    AccessCheck(PosixStore store) {
        this.store = store;
    }

    /** @throws FopException EACCES or EPERM, as the local filesystem would answer this user */
    void check(FopRequest req, int uid, int gid) {
        Caller c = new Caller(uid, gid);
        switch (req.getOpCase()) {
            case LOOKUP -> search(c, req.getLookup().getPath());
            case READLINK -> search(c, req.getReadlink().getPath());
            case GETXATTR -> search(c, req.getGetxattr().getPath());
            case LISTXATTR -> search(c, req.getListxattr().getPath());
            case CREATE -> addOrRemove(c, req.getCreate().getPath(), false);
            case MKDIR -> addOrRemove(c, req.getMkdir().getPath(), false);
            case MKNOD -> addOrRemove(c, req.getMknod().getPath(), false);
            case SYMLINK -> addOrRemove(c, req.getSymlink().getPath(), false);
            case LINK -> {
                search(c, req.getLink().getExisting());
                addOrRemove(c, req.getLink().getPath(), false);
            }
            case UNLINK -> addOrRemove(c, req.getUnlink().getPath(), true);
            case RMDIR -> addOrRemove(c, req.getRmdir().getPath(), true);
            case RENAME -> {
                addOrRemove(c, req.getRename().getFrom(), true);
                addOrRemove(c, req.getRename().getTo(), exists(req.getRename().getTo()));
            }
            case READ -> file(c, req.getRead().getPath(), R);
            case READDIR -> file(c, req.getReaddir().getPath(), R);
            case WRITE -> file(c, req.getWrite().getPath(), W);
            case TRUNCATE -> file(c, req.getTruncate().getPath(), W);
            case FALLOCATE -> file(c, req.getFallocate().getPath(), W);
            case SETXATTR -> ownerOrWrite(c, req.getSetxattr().getPath());
            case REMOVEXATTR -> ownerOrWrite(c, req.getRemovexattr().getPath());
            case SETATTR -> setattr(c, req.getSetattr());
            default -> {
                // bookkeeping a client does on what it just changed (marks, undo, gfid), heal, events, locks
            }
        }
    }

    private record Caller(int uid, int gid) {
    }

    private static boolean may(Caller c, Attr a, int want) {
        int bits = a.uid() == c.uid() ? (a.mode() >> 6) : a.gid() == c.gid() ? (a.mode() >> 3) : a.mode();
        return (bits & want) == want;
    }

    private static FopException denied(String path) {
        return FopException.of(Errno.EACCES, VolumePath.display(path));
    }

    private static FopException notPermitted(String path) {
        return FopException.of(Errno.EPERM, VolumePath.display(path));
    }

    /**
     * Search (x) on every directory from the root down to the parent of path; returns the parent's attributes
     * (null for the root itself, which has none to search).
     */
    private Attr search(Caller c, String path) {
        String p = VolumePath.normalize(path);
        if (p.isEmpty()) {
            return null;
        }
        String dir = "";
        for (;;) {
            Attr a = store.stat(dir);
            if (a.isDirectory() && !may(c, a, X)) {
                throw denied(path);
            }
            int slash = p.indexOf('/', dir.isEmpty() ? 0 : dir.length() + 1);
            if (slash < 0) {
                return a;
            }
            dir = p.substring(0, slash);
        }
    }

    private boolean exists(String path) {
        try {
            store.stat(VolumePath.normalize(path));
            return true;
        } catch (FopException e) {
            return false;
        }
    }

    /** Adding or removing a name: write and search on the parent; removal from a sticky directory needs ownership. */
    private void addOrRemove(Caller c, String path, boolean removes) {
        String p = VolumePath.normalize(path);
        Attr searched = search(c, p);
        Attr dir = searched != null ? searched : store.stat(VolumePath.parent(p));
        if (!may(c, dir, W | X)) {
            throw denied(path);
        }
        if (removes && (dir.mode() & 01000) != 0) {
            Attr victim = store.stat(p);
            if (victim.uid() != c.uid() && dir.uid() != c.uid()) {
                throw notPermitted(path);
            }
        }
    }

    private Attr file(Caller c, String path, int want) {
        search(c, path);
        Attr a = store.stat(VolumePath.normalize(path));
        if (!may(c, a, want)) {
            throw denied(path);
        }
        return a;
    }

    private void ownerOrWrite(Caller c, String path) {
        search(c, path);
        Attr a = store.stat(VolumePath.normalize(path));
        if (a.uid() != c.uid() && !may(c, a, W)) {
            throw denied(path);
        }
    }

    private void setattr(Caller c, Setattr s) {
        String path = s.getPath();
        search(c, path);
        Attr a = store.stat(VolumePath.normalize(path));
        int v = s.getValid();
        boolean owner = a.uid() == c.uid();
        if ((v & SetAttr.UID) != 0 && s.getUid() != a.uid()) {
            throw notPermitted(path); // only root gives a file away
        }
        if ((v & (SetAttr.MODE | SetAttr.ATIME | SetAttr.MTIME)) != 0 && !owner) {
            throw notPermitted(path);
        }
        if ((v & SetAttr.GID) != 0 && s.getGid() != a.gid() && (!owner || s.getGid() != c.gid())) {
            throw notPermitted(path);
        }
        if ((v & (SetAttr.ATIME_NOW | SetAttr.MTIME_NOW)) != 0 && !owner && !may(c, a, W)) {
            throw denied(path);
        }
        if ((v & SetAttr.SIZE) != 0 && !may(c, a, W)) {
            throw denied(path);
        }
    }
}
