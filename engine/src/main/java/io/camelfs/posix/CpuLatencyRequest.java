package io.camelfs.posix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CPU wake-up latency limit asked of the kernel's PM QoS (the file {@code /dev/cpu_dma_latency}) while work
 * flows, and dropped after a quiet spell.
 *
 * <p>Why: a small-file operation through a mount is a chain of wake-ups (caller, mount, bricks, mount, caller), and
 * between two links the CPU that runs the next one is often idle. An idle CPU enters its deepest idle state, and
 * leaving it can cost more than the link itself; on a VM whose idle driver halts the vCPU, the host has to schedule
 * the vCPU again. With a limit of 0 us idle CPUs poll instead. The kernel keeps the limit only while the file stays
 * open, so the request is held while {@link #busy()} keeps being called and closed once nothing happened for the
 * quiet period: an idle machine sleeps as it did. Opening the file needs root; without it nothing is requested.
 */
public final class CpuLatencyRequest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CpuLatencyRequest.class);
    public static final Path DEVICE = Path.of("/dev/cpu_dma_latency");
    /** How long without work before idle CPUs may sleep deeply again. */
    private static final Duration QUIET = Duration.ofMillis(100);
    private static final CpuLatencyRequest NONE = new CpuLatencyRequest(null, 0, Duration.ZERO, "nothing");

    private final Path device;
    private final int microseconds;
    private final long quietNanos;
    private final String purpose;
    private volatile long lastBusy;
    private volatile boolean held;
    private FileChannel channel; // guarded by this
    /** Opening failed once (or there is nothing to open): busy() stays two field reads. */
    private volatile boolean unavailable;
    private boolean closed; // guarded by this

    private CpuLatencyRequest(Path device, int microseconds, Duration quiet, String purpose) {
        this.device = device;
        this.microseconds = microseconds;
        this.quietNanos = quiet.toNanos();
        this.purpose = purpose;
        this.unavailable = device == null;
    }

    /** Requests nothing; {@link #busy()} costs nothing. */
    public static CpuLatencyRequest none() {
        return NONE;
    }

    /**
     * What a mount or brick holds while it works: a limit of microseconds through {@link #DEVICE}, dropped after
     * {@link #QUIET}; nothing for a null limit (the option "off").
     */
    public static CpuLatencyRequest whileBusy(Integer microseconds, String purpose) {
        return microseconds == null ? none() : of(DEVICE, microseconds, QUIET, purpose);
    }

    /**
     * A request of at most microseconds of wake-up latency through device, held from the first {@link #busy()}
     * until quiet has passed without one.
     */
    public static CpuLatencyRequest of(Path device, int microseconds, Duration quiet, String purpose) {
        if (microseconds < 0) {
            throw new IllegalArgumentException("a latency limit is 0 us or more: " + microseconds);
        }
        CpuLatencyRequest r = new CpuLatencyRequest(device, microseconds, quiet, purpose);
        Thread keeper = new Thread(r::keep, "cpu-latency " + purpose);
        keeper.setDaemon(true);
        keeper.start();
        return r;
    }

    /**
     * A limit as options give it: microseconds from 0 to 1,000,000, or "off" (null: request nothing).
     *
     * @throws IllegalArgumentException naming what is wrong with value
     */
    public static Integer parseMicros(String value) {
        if ("off".equals(value)) {
            return null;
        }
        try {
            int us = Integer.parseInt(value);
            if (us >= 0 && us <= 1_000_000) {
                return us;
            }
        } catch (NumberFormatException e) {
            // described below
        }
        throw new IllegalArgumentException("'" + value + "' is neither 'off' nor a number of microseconds between 0"
                + " and 1000000");
    }

    /** Work is flowing now: hold the limit (one system call the first time after a quiet spell). */
    public void busy() {
        lastBusy = System.nanoTime();
        if (!held && !unavailable) {
            acquire();
        }
    }

    /** Whether the limit is in force now. */
    public boolean held() {
        return held;
    }

    private synchronized void acquire() {
        if (held || unavailable || closed) {
            return;
        }
        FileChannel c = null;
        try {
            c = FileChannel.open(device, StandardOpenOption.WRITE);
            // the kernel takes the value as a binary s32 when exactly four bytes are written
            ByteBuffer value = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(microseconds)
                    .flip();
            while (value.hasRemaining()) {
                c.write(value);
            }
            channel = c;
            held = true;
            notifyAll();
        } catch (IOException | SecurityException e) {
            unavailable = true;
            closeQuietly(c);
            LOG.info("{}: cannot ask for a CPU wake-up latency of {} us ({}); idle CPUs may sleep between operations",
                    purpose, microseconds, describe(e));
        }
    }

    private static String describe(Exception e) {
        return e instanceof AccessDeniedException ? e.getMessage() + ": permission denied"
                : e instanceof NoSuchFileException ? e.getMessage() + ": no such file" : e.toString();
    }

    private synchronized void keep() {
        try {
            while (!closed) {
                if (!held) {
                    wait();
                    continue;
                }
                long quiet = System.nanoTime() - lastBusy;
                if (quiet >= quietNanos) {
                    release();
                } else {
                    long wait = quietNanos - quiet;
                    wait(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void release() {
        held = false;
        closeQuietly(channel);
        channel = null;
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing the CPU latency request", e);
            }
        }
    }

    /** What this request does, for logs. */
    @Override
    public String toString() {
        return device == null ? "no CPU wake-up latency request"
                : "CPU wake-up latency <= " + microseconds + " us (" + device + ") while busy, dropped after "
                        + quietNanos / 1_000_000 + " ms quiet";
    }

    @Override
    public synchronized void close() {
        if (this == NONE) {
            return;
        }
        closed = true;
        release();
        notifyAll();
    }
}
