package io.camelfs.heal;

import io.camelfs.afr.Changelog;
import io.camelfs.afr.Replicas;
import io.camelfs.fop.Attr;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.LeaseStatus;
import io.camelfs.protocol.v1.Lookup;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What one brick says about one path: its attributes and changelog, or the errno of the lookup. */
record View(int brick, int errno, Attr attr, Changelog changelog) {

    boolean holds(Gfid gfid) {
        return errno == 0 && (gfid == null || gfid.equals(attr.gfid()));
    }

    /**
     * Looks the path up on the bricks at once, under the given lease keys (bricks that no longer hold them answer
     * LEASE_LOST, which aborts the heal with EAGAIN). Unreachable bricks are absent.
     */
    static Map<Integer, View> lookup(Replicas r, Collection<Integer> bricks, String path, List<String> keys) {
        Map<Integer, FopReply> replies = r.call(bricks, b -> FopRequest.newBuilder().setLookup(
                Lookup.newBuilder().setPath(path)), Replicas.held(keys), false);
        Map<Integer, View> out = new TreeMap<>();
        for (Map.Entry<Integer, FopReply> e : replies.entrySet()) {
            out.put(e.getKey(), of(e.getKey(), e.getValue()));
        }
        return out;
    }

    static View of(int brick, FopReply reply) {
        if (reply.getLease() != LeaseStatus.LEASE_OK) {
            throw new FopException(Errno.EAGAIN, "the heal lock was lost (" + reply.getLease() + ")");
        }
        if (reply.getErrno() != 0) {
            return new View(brick, reply.getErrno(), null, Changelog.CLEAN);
        }
        return new View(brick, 0, Wire.attr(reply.getStat()),
                reply.hasAfr() ? Wire.changelog(reply.getAfr()) : Changelog.CLEAN);
    }

    /** The changelogs of the bricks that hold the inode. */
    static Map<Integer, Changelog> logs(Map<Integer, View> views, Gfid gfid) {
        Map<Integer, Changelog> out = new TreeMap<>();
        views.forEach((b, v) -> {
            if (v.holds(gfid)) {
                out.put(b, v.changelog());
            }
        });
        return out;
    }

    /** The attributes each of bricks reported; one that did not answer (killed meanwhile) fails the heal. */
    static Map<Integer, Attr> attrs(Map<Integer, View> views, Collection<Integer> bricks) {
        Map<Integer, Attr> out = new TreeMap<>();
        for (int b : bricks) {
            View v = views.get(b);
            if (v == null) {
                throw new FopException(Errno.ENOTCONN, "brick " + b + " stopped answering during the heal");
            }
            out.put(b, v.attr());
        }
        return out;
    }
}
