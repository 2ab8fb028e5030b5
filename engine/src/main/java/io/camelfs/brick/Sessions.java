package io.camelfs.brick;

import com.google.protobuf.ByteString;
import io.camelfs.protocol.v1.Upcall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * Client sessions as this brick sees them. Each mutating operation is remembered until the client reports it
 * settled on every brick (the watermark rides on later requests and pings, so this costs no round trip). If a
 * client vanishes with operations unsettled, their outcome on the other bricks is unknown: they become dirty marks
 * for heal, the role GlusterFS's pre-op/post-op round trips play.
 */
final class Sessions {
    static final class Session {
        final ByteString id;
        volatile String client = "?";
        /** Writes to the session's control connection; null while it has none. */
        volatile Consumer<Upcall> upcalls;
        volatile long disconnectedAt;
        volatile long lastSeen = System.currentTimeMillis();
        volatile long settled;
        final ConcurrentNavigableMap<Long, List<Targets.Target>> outstanding = new ConcurrentSkipListMap<>();

        Session(ByteString id) {
            this.id = id;
        }

        void begin(long seq, List<Targets.Target> targets) {
            if (seq > settled) {
                // a batch begins several operations under one sequence number
                outstanding.merge(seq, targets, (a, b) -> {
                    List<Targets.Target> all = new ArrayList<>(a);
                    all.addAll(b);
                    return all;
                });
            }
        }

        void settle(long watermark) {
            if (watermark > settled) {
                settled = watermark;
                outstanding.headMap(watermark, true).clear();
            }
        }

        boolean connected() {
            return upcalls != null;
        }
    }

    private final Map<ByteString, Session> sessions = new ConcurrentHashMap<>();

    Session touch(ByteString id) {
        Session s = sessions.get(id);
        if (s == null) {
            // id may be a view of the request's frame (Frame.aliasedPayload), a 128 KiB write's: a session outlives
            // its request, and leases and locks hold its id, so it keeps a copy of the few bytes instead
            s = sessions.computeIfAbsent(ByteString.copyFrom(id.asReadOnlyByteBuffer()), Session::new);
        }
        s.lastSeen = System.currentTimeMillis();
        return s;
    }

    Session get(ByteString id) {
        return sessions.get(id);
    }

    int connected() {
        int n = 0;
        for (Session s : sessions.values()) {
            if (s.connected()) {
                n++;
            }
        }
        return n;
    }

    int size() {
        return sessions.size();
    }

    /** Ends a session now (a clean goodbye, or its grace period ran out). */
    void expire(ByteString id, Consumer<Session> onExpire) {
        Session s = sessions.remove(id);
        if (s != null) {
            onExpire.accept(s);
        }
    }

    /** Sessions without a live upcall stream for longer than the grace period. */
    List<ByteString> idle(long graceMillis) {
        long now = System.currentTimeMillis();
        List<ByteString> out = new ArrayList<>();
        for (Session s : sessions.values()) {
            long since = s.connected() ? Long.MAX_VALUE : Math.max(s.disconnectedAt, s.lastSeen);
            if (!s.connected() && now - since > graceMillis) {
                out.add(s.id);
            }
        }
        return out;
    }

    List<Session> all() {
        return new ArrayList<>(sessions.values());
    }
}
