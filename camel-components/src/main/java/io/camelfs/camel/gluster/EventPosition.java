package io.camelfs.camel.gluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a consumer is in the volume's events, kept in a small file so a restarted node goes on where it stopped:
 * the journal read (a brick's journal id), the last event delivered in it, and that event's client time, which
 * finds the place again in another brick's journal when this one's brick is down.
 */
record EventPosition(String journal, long seq, long timeNanos) {
    static final EventPosition NONE = new EventPosition("", -1, 0);

    static EventPosition load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return NONE;
        }
        String[] f = Files.readString(file, StandardCharsets.UTF_8).trim().split("\\s+");
        if (f.length != 3) {
            throw new IOException(file + ": not an event position (journal seq time)");
        }
        try {
            return new EventPosition(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]));
        } catch (NumberFormatException e) {
            throw new IOException(file + ": not an event position (journal seq time)");
        }
    }

    /** Written to a temporary file and renamed over: a crash leaves the old position or the new, never half. */
    void save(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.writeString(tmp, journal + " " + seq + " " + timeNanos + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
