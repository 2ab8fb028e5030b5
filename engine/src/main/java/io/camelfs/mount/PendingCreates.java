package io.camelfs.mount;

import io.camelfs.fop.Attr;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * New files this mount has answered but not yet sent to the bricks. A program that creates a file almost always
 * writes it next: the create then travels with the first write, one replicated round trip for both instead of two,
 * and the write still returns only once quorum has file and bytes. Anything else that could observe the volume
 * sends every pending create first (see {@link CamelfsFuse}), so no other operation of this mount can see the file
 * missing. Only non-exclusive creates wait here: O_EXCL must be decided by the bricks when open() returns.
 */
final class PendingCreates {
    /** One answered create; sent at most once, by whichever thread gets to it first. */
    static final class Pending {
        final String path;
        /** The volume as the creating process: the file belongs to it whoever sends the create. */
        final FileOps creator;
        /** What the mount reported: the attributes the file gets (its gfid makes its inode number). */
        final Attr attr;
        private boolean sent;
        /** The errno sending failed with (0: none): the creator's next write or close reports it. */
        private int failed;

        Pending(String path, FileOps creator, Attr attr) {
            this.path = path;
            this.creator = creator;
            this.attr = attr;
        }
    }

    /** What sending a pending create achieved. */
    interface Sent {
        /**
         * The attributes after the create (and its data), to keep; null if sending failed. made: the bricks made the
         * file with the predicted gfid (not so if another client had made the name meanwhile: then the creator's
         * descriptor has that client's file, with its gfid).
         */
        void created(String path, Gfid predicted, Attr attr, boolean made, long startNanos);
    }

    private final ConcurrentHashMap<String, Pending> byPath = new ConcurrentHashMap<>();
    private final Sent sent;

    PendingCreates(Sent sent) {
        this.sent = sent;
    }

    void add(Pending p) {
        byPath.put(p.path, p);
    }

    /** The pending create of this path, if any (also one that failed and awaits its creator's write or close). */
    Pending get(String path) {
        return byPath.isEmpty() ? null : byPath.get(path);
    }

    /**
     * What a look at path goes by: its own pending create, if it has one (the file is as it was answered, and other
     * pending creates need not go yet); otherwise null, once every pending create has been sent.
     */
    Pending ownOrSendAll(String path) {
        Pending p = get(path);
        if (p == null) {
            sendAll();
        }
        return p;
    }

    /**
     * Sends the create with the file's first bytes (a write at offset 0). Returns false if it was already sent,
     * by another thread, so the caller writes as usual; throws the errno sending failed with, now or before.
     */
    boolean sendWith(Pending p, ByteBuffer data) {
        synchronized (p) {
            reportFailure(p);
            if (p.sent) {
                return false;
            }
            send(p, data);
            return true;
        }
    }

    /** Sends the create of this path if it is still pending; throws the errno that failed it (once). */
    void send(String path) {
        Pending p = get(path);
        if (p == null) {
            return;
        }
        synchronized (p) {
            if (!p.sent) {
                send(p, ByteBuffer.allocate(0));
            }
            reportFailure(p);
        }
    }

    /** A create that failed is reported once, to its creator, and then forgotten. Called holding p's monitor. */
    private void reportFailure(Pending p) {
        if (p.failed != 0) {
            byPath.remove(p.path, p);
            throw FopException.of(p.failed, p.path);
        }
    }

    /**
     * Sends every pending create, waiting for those another thread is sending. A failure stays with its file, for
     * the creator to hear at its next write or close; the operation that sent it goes on.
     */
    void sendAll() {
        if (byPath.isEmpty()) {
            return;
        }
        for (Pending p : byPath.values()) {
            synchronized (p) {
                if (!p.sent) {
                    try {
                        send(p, ByteBuffer.allocate(0));
                    } catch (FopException e) {
                        // kept in p.failed
                    }
                }
            }
        }
    }

    /** The creator closed the file: a failure it has not heard of by now stays unheard, as a failed close would. */
    void released(String path) {
        if (!byPath.isEmpty()) {
            Pending p = byPath.get(path);
            if (p != null && p.sent) {
                byPath.remove(path, p);
            }
        }
    }

    /** Called holding p's monitor. */
    private void send(Pending p, ByteBuffer data) {
        long start = System.nanoTime();
        p.sent = true;
        try {
            Attr a;
            boolean made = true;
            try {
                a = p.creator.create(p.path, p.attr.gfid(), p.attr.permissions(), data);
            } catch (FopException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
                // another client made the name meanwhile: without O_EXCL that is an open of its file
                made = false;
                a = p.creator.create(p.path, p.attr.permissions(), false);
                if (data.hasRemaining()) {
                    a = p.creator.write(p.path, 0, data);
                }
            }
            byPath.remove(p.path, p);
            sent.created(p.path, p.attr.gfid(), a, made, start);
        } catch (FopException e) {
            p.failed = e.errno();
            sent.created(p.path, p.attr.gfid(), null, false, start);
            throw e;
        }
    }
}
