package io.camelfs.brick;

import com.google.protobuf.InvalidProtocolBufferException;
import io.camelfs.protocol.v1.Event;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The changes clients committed on this brick, in the order it applied them: what the gluster: consumer reads.
 * Kept in {@code .camelfs/events/journal} (length-prefixed protobuf records, written before the reply leaves, so a
 * killed brick process loses none) and the newest {@link #RETAINED} in memory. Each journal has an id; a consumer
 * position is (id, seq).
 */
final class EventJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);
    /** Events kept; older ones are dropped when the file is compacted. */
    static final int RETAINED = 50_000;

    private final Path dir;
    private final String id;
    /**
     * The newest events by seq, each as its encoded record: event n is at n % RETAINED. One array per event instead
     * of the parsed message's six objects: 50,000 retained events took about 11 MB of a brick's heap as messages, all
     * of it old-generation objects for the collector to mark, against about 4 MB as records; only a consumer's page
     * parses them again.
     */
    private final byte[][] ring = new byte[RETAINED][];
    private long oldest = 1;
    /** The bytes the retained events take in the file, with their length prefixes. */
    private long retainedBytes;
    private FileChannel out;
    private long seq;
    private long written;

    EventJournal(Path metaDir) throws IOException {
        this.dir = metaDir.resolve("events");
        Files.createDirectories(dir);
        Path idFile = dir.resolve("id");
        if (!Files.exists(idFile)) {
            Files.writeString(idFile, UUID.randomUUID() + "\n");
        }
        this.id = Files.readString(idFile).trim();
        Path journal = dir.resolve("journal");
        long good = 0;
        if (Files.exists(journal)) {
            try (InputStream in = Files.newInputStream(journal); DataInputStream d = new DataInputStream(
                    new BufferedInputStream(in, 1 << 16))) {
                for (;;) {
                    int len;
                    try {
                        len = d.readInt();
                    } catch (EOFException end) {
                        break;
                    }
                    if (len <= 0 || len > 1 << 20) {
                        break; // a torn record after a crash: the rest is cut off below
                    }
                    byte[] b = new byte[len];
                    try {
                        d.readFully(b);
                    } catch (EOFException torn) {
                        break;
                    }
                    keep(Event.parseFrom(b).getSeq(), b);
                    good += 4 + len;
                }
            }
        }
        this.out = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        out.truncate(good);
        out.position(good);
        this.written = good;
    }

    String id() {
        return id;
    }

    private void keep(long eventSeq, byte[] record) {
        if (seq == 0 && oldest == 1) {
            oldest = eventSeq; // the first event read back after a compaction
        }
        seq = eventSeq;
        int slot = (int) (seq % RETAINED);
        if (ring[slot] != null) {
            retainedBytes -= 4 + ring[slot].length; // the event RETAINED before this one, dropped now
        }
        ring[slot] = record;
        retainedBytes += 4 + record.length;
        oldest = Math.max(oldest, seq - RETAINED + 1);
    }

    private int retained() {
        return seq < oldest ? 0 : (int) (seq - oldest + 1);
    }

    /** Appends one event (its seq is assigned here). */
    synchronized void append(Event.Builder e) {
        byte[] b = e.setSeq(seq + 1).build().toByteArray();
        keep(seq + 1, b);
        try {
            written += writeRecord(out, b);
            // only once dropped events are half the file: a compaction's cost is then paid for by as many bytes of
            // appends (compacting whenever anything was dropped rewrote the whole file on every append once the
            // retained events alone were over 16 MiB, as 50,000 events with 330-byte paths are)
            if (written > 16L << 20 && written >= 2 * retainedBytes) {
                compact();
            }
        } catch (IOException x) {
            LOG.warn("event journal {}: cannot append: {}", dir, x.toString());
        }
    }

    /** Rewrites the file with the retained events only. */
    private void compact() throws IOException {
        Path tmp = dir.resolve("journal.tmp");
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long n = 0;
            for (long k = oldest; k <= seq; k++) {
                n += writeRecord(c, ring[(int) (k % RETAINED)]);
            }
            c.force(true);
            out.close();
            Files.move(tmp, dir.resolve("journal"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            out = FileChannel.open(dir.resolve("journal"), StandardOpenOption.WRITE);
            out.position(n);
            written = n;
        }
    }

    /** Writes one length-prefixed record at c's position; returns the bytes it took. */
    private static int writeRecord(FileChannel c, byte[] record) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4 + record.length).putInt(record.length).put(record).flip();
        while (buf.hasRemaining()) {
            c.write(buf);
        }
        return buf.limit();
    }

    /** What follows {@code after}: the events, whether some were dropped, and the last seq. */
    record Page(List<Event> events, boolean lost, long last) {
    }

    synchronized Page after(long after, int max) {
        List<Event> page = new ArrayList<>();
        int limit = max <= 0 ? 1000 : Math.min(max, 10_000);
        if (seq <= after) {
            return new Page(page, false, seq);
        }
        boolean lost = retained() > 0 && oldest > after + 1;
        for (long n = Math.max(after + 1, oldest); n <= seq && page.size() < limit; n++) {
            page.add(parse(n));
        }
        return new Page(page, lost, seq);
    }

    /** Retained records were written by this class or parsed when read back, so one that does not parse is a bug. */
    private Event parse(long n) {
        try {
            return Event.parseFrom(ring[(int) (n % RETAINED)]);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("event journal " + dir + ": retained event " + n + " does not parse", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", dir, e.toString());
        }
    }
}
