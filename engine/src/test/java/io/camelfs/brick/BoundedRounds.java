package io.camelfs.brick;

/**
 * A background disturbance for race tests: rounds run until a deadline or a round count, whichever comes first,
 * so the test always stops by itself. A failure is kept for the test to report, not thrown on the thread.
 */
abstract class BoundedRounds implements Runnable {
    private final long deadlineNanos;
    private final int maxRounds;
    private volatile int rounds;
    private volatile Throwable failure;

    BoundedRounds(long millis, int maxRounds) {
        this.deadlineNanos = System.nanoTime() + millis * 1_000_000;
        this.maxRounds = maxRounds;
    }

    /** One round; r counts from 0. */
    abstract void round(int r);

    /** Releases what the rounds used (descriptors), after the last round or a failure. */
    abstract void finish();

    @Override
    public final void run() {
        try {
            for (int r = 0; r < maxRounds && System.nanoTime() < deadlineNanos; r++) {
                round(r);
                rounds = r + 1;
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            finish();
        }
    }

    final int rounds() {
        return rounds;
    }

    final Throwable failure() {
        return failure;
    }
}
