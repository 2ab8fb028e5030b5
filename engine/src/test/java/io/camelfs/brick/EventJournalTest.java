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
}
