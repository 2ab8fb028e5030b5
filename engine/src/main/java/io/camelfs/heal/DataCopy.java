package io.camelfs.heal;

import com.google.protobuf.ByteString;
import io.camelfs.afr.Replicas;
import io.camelfs.fop.Gfid;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Checksums;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import io.camelfs.protocol.v1.Header;
import io.camelfs.protocol.v1.Read;
import io.camelfs.protocol.v1.Write;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Data heal of one regular file from a source brick to one sink, under the heal's lease keys. A small file, or a
 * sink that has nothing yet, gets a plain copy; a large file on a sink that has an older version gets only the
 * blocks whose SHA-256 differs (GlusterFS's "diff" algorithm). Several chunks are in flight at once, so the copy
 * runs at the speed of the slower disk rather than of round trips.
 */
final class DataCopy {
    /** Files up to this size are copied whole: comparing would cost as much as copying. */
    static final int SMALL = 1 << 20;
    /** Unit of comparison for large files. */
    static final int BLOCK = 128 << 10;
    /** Unit of transfer. */
    private static final int CHUNK = 2 << 20;
    private static final int IN_FLIGHT = 3;
    /** Checksums asked for at once (64 MiB of file). */
    private static final int WINDOW = 512;

    private final Replicas r;
    private final Header.Builder header;
    private final String path;
    private final Gfid gfid;
    private long sent;

    DataCopy(Replicas r, List<String> keys, String path, Gfid gfid) {
        this.r = r;
        this.header = Replicas.held(keys);
        this.path = path;
        this.gfid = gfid;
    }

    /** Bytes written to sinks so far. */
    long sent() {
        return sent;
    }

    /** Makes the sink's data equal to the source's; sinkSize is what the sink has now. */
    void copy(int source, int sink, long size, long sinkSize) {
        if (size <= SMALL || sinkSize == 0) {
            transfer(source, sink, List.of(new long[] {0, size}));
        } else {
            diff(source, sink, size, sinkSize);
        }
        if (sinkSize != size) {
            write(sink, size, ByteString.EMPTY, size).get();
        }
    }

    /** Compares block checksums window by window and copies the ranges that differ or that the sink lacks. */
    private void diff(int source, int sink, long size, long sinkSize) {
        long blocks = (size + BLOCK - 1) / BLOCK;
        List<long[]> ranges = new ArrayList<>();
        for (long first = 0; first < blocks; first += WINDOW) {
            int n = (int) Math.min(WINDOW, blocks - first);
            long offset = first * BLOCK;
            if (offset >= sinkSize) {
                ranges.add(new long[] {offset, size - offset});
                break;
            }
            Replicas.Call theirs = r.start(sink, checksums(offset, n), header, false);
            Replicas.Call ours = r.start(source, checksums(offset, n), header, false);
            List<ByteString> want = ours.get().getChecksumsList();
            List<ByteString> have = theirs.get().getChecksumsList();
            for (int i = 0; i < want.size(); i++) {
                if (i >= have.size() || !want.get(i).equals(have.get(i))) {
                    long off = offset + (long) i * BLOCK;
                    long len = Math.min(BLOCK, size - off);
                    long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
                    if (last != null && last[0] + last[1] == off) {
                        last[1] += len; // adjacent differing blocks travel as one range
                    } else {
                        ranges.add(new long[] {off, len});
                    }
                }
            }
        }
        transfer(source, sink, ranges);
    }

    private FopRequest.Builder checksums(long offset, int blocks) {
        return FopRequest.newBuilder().setChecksums(Checksums.newBuilder().setPath(path).setGfid(Wire.gfid(gfid))
                .setBlockSize(BLOCK).setOffset(offset).setBlocks(blocks));
    }

    /** Reads the ranges from the source and writes them to the sink, a few chunks in flight at a time. */
    private void transfer(int source, int sink, List<long[]> ranges) {
        Deque<long[]> chunks = new ArrayDeque<>();
        for (long[] range : ranges) {
            for (long off = range[0]; off < range[0] + range[1]; off += CHUNK) {
                chunks.add(new long[] {off, Math.min(CHUNK, range[0] + range[1] - off)});
            }
        }
        Deque<Replicas.Call> reads = new ArrayDeque<>();
        Deque<long[]> readChunks = new ArrayDeque<>();
        Deque<Replicas.Call> writes = new ArrayDeque<>();
        while (!chunks.isEmpty() || !reads.isEmpty()) {
            while (reads.size() < IN_FLIGHT && !chunks.isEmpty()) {
                long[] c = chunks.poll();
                reads.add(r.start(source, FopRequest.newBuilder().setRead(Read.newBuilder().setPath(path)
                        .setGfid(Wire.gfid(gfid)).setOffset(c[0]).setLength((int) c[1])), header, false));
                readChunks.add(c);
            }
            FopReply data = reads.poll().get();
            long[] c = readChunks.poll();
            writes.add(write(sink, c[0], data.getData(), -1));
            sent += data.getData().size();
            while (writes.size() > IN_FLIGHT) {
                writes.poll().get();
            }
        }
        while (!writes.isEmpty()) {
            writes.poll().get();
        }
    }

    private Replicas.Call write(int sink, long offset, ByteString data, long truncate) {
        return r.start(sink, FopRequest.newBuilder().setWrite(Write.newBuilder().setPath(path)
                .setGfid(Wire.gfid(gfid)).setOffset(offset).setData(data).setTruncate(truncate)), header, true);
    }
}
