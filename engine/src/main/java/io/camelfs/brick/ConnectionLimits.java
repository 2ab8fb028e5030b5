package io.camelfs.brick;

import io.camelfs.volume.VolumeOptions;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What one connection may take from its brick: time between requests, time within one, the size of one, and a
 * share of the memory all requests being received at once may use (one semaphore per brick, in KiB), so that many
 * clients sending large requests together wait for each other instead of exhausting the heap.
 */
record ConnectionLimits(Duration idle, Duration silence, int maxRequest, Semaphore memoryKib) {
    /** Smaller requests take no share: their number is bounded by the connections, their size by this. */
    static final int SMALL = 64 << 10;

    static ConnectionLimits of(VolumeOptions o) {
        return new ConnectionLimits(o.idleTimeout(), o.brickTimeout(), o.maxRequestSize(),
                new Semaphore((int) (o.requestMemory() >> 10), true));
    }

    /** A whole request must arrive within this once it has begun (a trickling client is cut off). */
    long wholeRequestNanos() {
        return silence.toNanos() * 12;
    }

    /** KiB of the brick's request memory a request of this length holds while it is read and served. */
    static int share(int length) {
        return length <= SMALL ? 0 : (length + 1023) >> 10;
    }

    /** Waits at most four silences for the share; false: the brick stays too busy for this request. */
    boolean reserve(int kib) throws InterruptedException {
        return kib == 0 || memoryKib.tryAcquire(kib, silence.toMillis() * 4, TimeUnit.MILLISECONDS);
    }

    void release(int kib) {
        if (kib > 0) {
            memoryKib.release(kib);
        }
    }
}
