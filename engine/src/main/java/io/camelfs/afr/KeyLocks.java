package io.camelfs.afr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Orders this client's own operations per lease key: two threads of one client writing the same file must reach
 * every brick in the same order, which bricks cannot enforce for a single session. Also remembers recalls that
 * arrived while a key was busy, so the lease is released as soon as the operation ends.
 */
final class KeyLocks {
    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        int users;
        boolean recallPending;
    }

    private final Map<String, Slot> slots = new HashMap<>();
    private final Consumer<List<String>> release;

    /** @param release called (outside any lock) with keys whose lease should now be given back */
    KeyLocks(Consumer<List<String>> release) {
        this.release = release;
    }

    /** Locks the keys in sorted order (no deadlock between two multi-key operations of one client). */
    Held lock(List<String> keys) {
        TreeSet<String> sorted = new TreeSet<>(keys);
        List<Slot> taken = new ArrayList<>(sorted.size());
        List<String> names = new ArrayList<>(sorted);
        for (String k : sorted) {
            Slot s;
            synchronized (this) {
                s = slots.computeIfAbsent(k, x -> new Slot());
                s.users++;
            }
            s.lock.lock();
            taken.add(s);
        }
        return new Held(names, taken);
    }

    /** A recall arrived: release now if nobody uses the key, else when its operation ends. */
    void recall(List<String> keys) {
        List<String> now = new ArrayList<>();
        synchronized (this) {
            for (String k : keys) {
                Slot s = slots.get(k);
                if (s == null) {
                    now.add(k);
                } else {
                    s.recallPending = true;
                }
            }
        }
        if (!now.isEmpty()) {
            release.accept(now);
        }
    }

    final class Held implements AutoCloseable {
        private final List<String> keys;
        private final List<Slot> taken;

        private Held(List<String> keys, List<Slot> taken) {
            this.keys = keys;
            this.taken = taken;
        }

        @Override
        public void close() {
            List<String> recalled = new ArrayList<>();
            for (int i = taken.size() - 1; i >= 0; i--) {
                Slot s = taken.get(i);
                s.lock.unlock();
                synchronized (KeyLocks.this) {
                    if (s.recallPending && !s.lock.isLocked()) {
                        s.recallPending = false;
                        recalled.add(keys.get(i));
                    }
                    if (--s.users == 0) {
                        slots.remove(keys.get(i));
                    }
                }
            }
            if (!recalled.isEmpty()) {
                release.accept(recalled);
            }
        }
    }
}
