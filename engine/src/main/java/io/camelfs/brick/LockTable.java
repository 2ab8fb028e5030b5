package io.camelfs.brick;

import com.google.protobuf.ByteString;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.LockRequest;
import io.camelfs.fop.LockResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * POSIX byte-range locks (fcntl) held by the brick for its clients, per inode. An owner is the client session plus
 * the lock owner the client names (a process's open file description), so two processes on two mounts conflict as
 * they would on one machine. Locks of a session that vanishes are dropped.
 */
final class LockTable {
    /** One granted range: [start, end) with end = Long.MAX_VALUE for "to end of file". */
    private record Range(Owner owner, LockRequest.Type type, long start, long end, int pid) {
        boolean overlaps(long s, long e) {
            return start < e && s < end;
        }

        /** Whether this lock stands in the way of another owner's request. */
        boolean blocks(Owner other, LockRequest.Type t, long s, long e) {
            return !owner.equals(other) && overlaps(s, e)
                    && (type == LockRequest.Type.WRITE || t == LockRequest.Type.WRITE);
        }
    }

    /** Lock owner: session + the client's owner id. */
    record Owner(ByteString session, ByteString id) {
    }

    /** A blocked F_SETLKW. */
    static final class Waiter {
        final String inode;
        final Owner owner;
        final LockRequest.Type type;
        final long start;
        final long end;
        final int pid;
        final Runnable onGranted;
        boolean done;

        Waiter(String inode, Owner owner, LockRequest.Type type, long start, long end, int pid, Runnable onGranted) {
            this.inode = inode;
            this.owner = owner;
            this.type = type;
            this.start = start;
            this.end = end;
            this.pid = pid;
            this.onGranted = onGranted;
        }
    }

    private final Map<String, List<Range>> locks = new HashMap<>();
    private final Map<String, List<Waiter>> waiters = new HashMap<>();

    static long end(long start, long length) {
        return length == 0 ? Long.MAX_VALUE : (start + length < start ? Long.MAX_VALUE : start + length);
    }

    /** F_GETLK: the first lock that would block this request, or null. */
    synchronized LockResult test(String inode, Owner owner, LockRequest.Type type, long start, long end) {
        Range r = conflict(inode, owner, type, start, end);
        if (r == null) {
            return new LockResult(true, LockRequest.Type.UNLOCK, start, 0, 0);
        }
        return new LockResult(false, r.type, r.start, r.end == Long.MAX_VALUE ? 0 : r.end - r.start, r.pid);
    }

    private Range conflict(String inode, Owner owner, LockRequest.Type type, long start, long end) {
        if (type == LockRequest.Type.UNLOCK) {
            return null;
        }
        for (Range r : locks.getOrDefault(inode, List.of())) {
            if (r.blocks(owner, type, start, end)) {
                return r;
            }
        }
        return null;
    }

    /** F_SETLK: grants (or unlocks) and returns true, or returns false on conflict. */
    synchronized boolean trySet(String inode, Owner owner, LockRequest.Type type, long start, long end, int pid) {
        if (conflict(inode, owner, type, start, end) != null) {
            return false;
        }
        apply(inode, owner, type, start, end, pid);
        return true;
    }

    /**
     * F_SETLKW: grants now or when the conflicting locks go; returns the waiter so a deadline can cancel it.
     *
     * @param detectDeadlock whether a wait that would close a cycle fails (POSIX locks; not flock, as on Linux)
     * @throws FopException EDEADLK, if waiting would close a cycle of owners waiting for each other (as Linux
     *     refuses such a wait on a local disk; the cycle's owners would otherwise wait for ever)
     */
    synchronized Waiter set(String inode, Owner owner, LockRequest.Type type, long start, long end, int pid,
            boolean detectDeadlock, Runnable onGranted) {
        Waiter w = new Waiter(inode, owner, type, start, end, pid, onGranted);
        if (conflict(inode, owner, type, start, end) == null) {
            apply(inode, owner, type, start, end, pid);
            w.done = true;
            onGranted.run();
        } else if (detectDeadlock && waitsFor(blockers(inode, owner, type, start, end), owner)) {
            throw new FopException(Errno.EDEADLK, Errno.describe(Errno.EDEADLK));
        } else {
            waiters.computeIfAbsent(inode, k -> new ArrayList<>()).add(w);
        }
        return w;
    }

    /** The owners of the locks a request conflicts with. */
    private Set<Owner> blockers(String inode, Owner owner, LockRequest.Type type, long start, long end) {
        Set<Owner> out = new HashSet<>();
        for (Range r : locks.getOrDefault(inode, List.of())) {
            if (r.blocks(owner, type, start, end)) {
                out.add(r.owner);
            }
        }
        return out;
    }

    /** Whether one of these owners waits, itself or through the owners it waits for, for target. */
    private boolean waitsFor(Set<Owner> owners, Owner target) {
        Deque<Owner> todo = new ArrayDeque<>(owners);
        Set<Owner> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            Owner o = todo.pop();
            if (o.equals(target)) {
                return true;
            }
            if (!seen.add(o)) {
                continue;
            }
            for (List<Waiter> ws : waiters.values()) {
                for (Waiter w : ws) {
                    if (!w.done && w.owner.equals(o)) {
                        todo.addAll(blockers(w.inode, w.owner, w.type, w.start, w.end));
                    }
                }
            }
        }
        return false;
    }

    synchronized void cancel(Waiter w) {
        w.done = true;
        List<Waiter> ws = waiters.get(w.inode);
        if (ws != null) {
            ws.remove(w);
        }
    }

    private void apply(String inode, Owner owner, LockRequest.Type type, long start, long end, int pid) {
        List<Range> list = locks.computeIfAbsent(inode, k -> new ArrayList<>());
        List<Range> kept = new ArrayList<>();
        for (Range r : list) {
            if (!r.owner.equals(owner) || !r.overlaps(start, end)) {
                kept.add(r);
                continue;
            }
            // the new request replaces this owner's lock where they overlap; keep the parts outside it
            if (r.start < start) {
                kept.add(new Range(r.owner, r.type, r.start, start, r.pid));
            }
            if (r.end > end) {
                kept.add(new Range(r.owner, r.type, end, r.end, r.pid));
            }
        }
        if (type != LockRequest.Type.UNLOCK) {
            kept.add(new Range(owner, type, start, end, pid));
        }
        if (kept.isEmpty()) {
            locks.remove(inode);
        } else {
            locks.put(inode, kept);
        }
        if (type == LockRequest.Type.UNLOCK || !kept.isEmpty()) {
            wake(inode);
        }
    }

    private void wake(String inode) {
        List<Waiter> ws = waiters.get(inode);
        if (ws == null) {
            return;
        }
        Iterator<Waiter> it = ws.iterator();
        List<Waiter> granted = new ArrayList<>();
        while (it.hasNext()) {
            Waiter w = it.next();
            if (w.done) {
                it.remove();
            } else if (conflict(inode, w.owner, w.type, w.start, w.end) == null) {
                it.remove();
                w.done = true;
                List<Range> list = locks.computeIfAbsent(inode, k -> new ArrayList<>());
                list.add(new Range(w.owner, w.type, w.start, w.end, w.pid));
                granted.add(w);
            }
        }
        if (ws.isEmpty()) {
            waiters.remove(inode);
        }
        granted.forEach(w -> w.onGranted.run());
    }

    /** Drops every lock and wait of a session (its client is gone). */
    synchronized void releaseSession(ByteString session) {
        List<String> touched = new ArrayList<>();
        for (Map.Entry<String, List<Range>> e : locks.entrySet()) {
            if (e.getValue().removeIf(r -> r.owner.session().equals(session))) {
                touched.add(e.getKey());
            }
        }
        locks.values().removeIf(List::isEmpty);
        for (List<Waiter> ws : waiters.values()) {
            ws.removeIf(w -> w.owner.session().equals(session));
        }
        touched.forEach(this::wake);
    }

    /** Ranges a session holds and waits for: what a client makes the brick keep for it. */
    synchronized int heldBy(ByteString session) {
        int n = 0;
        for (List<Range> list : locks.values()) {
            for (Range r : list) {
                n += r.owner.session().equals(session) ? 1 : 0;
            }
        }
        for (List<Waiter> ws : waiters.values()) {
            for (Waiter w : ws) {
                n += w.owner.session().equals(session) ? 1 : 0;
            }
        }
        return n;
    }

    synchronized int count() {
        return locks.values().stream().mapToInt(List::size).sum();
    }

    @Override
    public String toString() {
        return "LockTable" + Objects.toString(locks);
    }
}
