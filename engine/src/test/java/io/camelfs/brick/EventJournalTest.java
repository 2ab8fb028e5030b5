package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.protocol.v1.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The brick's event journal: numbered in order, kept across a restart, a torn last record cut off. */
class EventJournalTest {
    @TempDir
    Path meta;

    @Test
    void eventsSurviveAReopenAndATornTail() throws Exception {
        String id;
        try (EventJournal j = new EventJournal(meta)) {
            id = j.id();
            for (int i = 1; i <= 5; i++) {
                j.append(Event.newBuilder().setType("create").setPath("f" + i));
            }
            EventJournal.Page p = j.after(2, 10);
            assertEquals(3, p.events().size());
            assertEquals("f3", p.events().get(0).getPath());
            assertEquals(3, p.events().get(0).getSeq());
            assertEquals(5, p.last());
            assertFalse(p.lost());
            assertEquals(0, j.after(5, 10).events().size());
        }
        // a crash in the middle of writing a record: half a record at the end
        Files.write(meta.resolve("events/journal"), new byte[] {0, 0, 0, 40, 1, 2}, StandardOpenOption.APPEND);
        try (EventJournal j = new EventJournal(meta)) {
            assertEquals(id, j.id(), "the same journal");
            assertEquals(5, j.after(0, 100).events().size());
            j.append(Event.newBuilder().setType("delete").setPath("f1"));
            EventJournal.Page p = j.after(5, 10);
            assertEquals(1, p.events().size());
            assertEquals(6, p.events().get(0).getSeq(), "numbering goes on after the torn record was cut off");
        }
        try (EventJournal j = new EventJournal(meta)) {
            assertEquals(6, j.after(0, 100).events().size());
        }
    }

    @Test
    void aConsumerFurtherBehindThanTheJournalIsToldEventsWereLost() throws Exception {
        try (EventJournal j = new EventJournal(meta)) {
            for (int i = 0; i < EventJournal.RETAINED + 10; i++) {
                j.append(Event.newBuilder().setType("modify").setPath("f"));
            }
            EventJournal.Page p = j.after(3, 5);
            assertTrue(p.lost());
            assertEquals(11, p.events().get(0).getSeq(), "the oldest still held");
            assertFalse(j.after(20, 5).lost());
        }
    }

    @Test
    void compactionKeepsExactlyTheRetainedEventsAcrossAReopen() throws Exception {
        String pad = "p".repeat(200); // records of about 220 bytes: the file passes twice the retained events' size
        int total = 2 * EventJournal.RETAINED + 2_000;
        try (EventJournal j = new EventJournal(meta)) {
            for (int i = 1; i <= total; i++) {
                j.append(Event.newBuilder().setType("modify").setPath(pad + i));
            }
        }
        long size = Files.size(meta.resolve("events/journal"));
        assertTrue(size < (long) (EventJournal.RETAINED + 4_000) * 230, "compacted once: " + size + " bytes");
        try (EventJournal j = new EventJournal(meta)) {
            EventJournal.Page all = j.after(0, 10_000);
            assertTrue(all.lost(), "events before the retained ones are gone");
            long oldest = all.events().get(0).getSeq();
            assertEquals(total - EventJournal.RETAINED + 1, oldest, "the newest RETAINED are held");
            for (int k = 0; k < all.events().size(); k++) {
                Event e = all.events().get(k);
                assertEquals(oldest + k, e.getSeq());
                assertEquals(pad + e.getSeq(), e.getPath(), "each record is the event appended with its seq");
            }
            EventJournal.Page last = j.after(total - 3, 10);
            assertEquals(3, last.events().size());
            assertEquals(pad + total, last.events().get(2).getPath());
            assertEquals(total, last.last());
            j.append(Event.newBuilder().setType("delete").setPath("f"));
            assertEquals(total + 1, j.after(total, 10).events().get(0).getSeq(), "numbering goes on");
        }
    }

    @Test
    void longRecordsAreNotRewrittenOnEveryAppend() throws Exception {
        String pad = "p".repeat(400); // 50,000 records of about 420 bytes are over 16 MiB on their own
        int total = EventJournal.RETAINED + 2_000;
        long expected = 0;
        try (EventJournal j = new EventJournal(meta)) {
            for (int i = 1; i <= total; i++) {
                Event.Builder e = Event.newBuilder().setType("modify").setPath(pad + i);
                expected += 4 + e.clone().setSeq(i).build().getSerializedSize();
                j.append(e);
            }
            assertEquals(total - EventJournal.RETAINED + 1, j.after(0, 1).events().get(0).getSeq());
        }
        assertEquals(expected, Files.size(meta.resolve("events/journal")),
                "every record still in the file: 2,000 dropped events are not worth rewriting 21 MB for");
    }
}
