package io.camelfs.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * libfuse's removal of a hidden file waits for the descriptors opened under its hidden name; a removal that went
 * first leaves later opens to find the file gone.
 */
class HiddenFilesTest {
    private final HiddenFiles hidden = new HiddenFiles();
    private final Gfid file = Gfid.random();
    private final List<String> unlinked = new ArrayList<>();
    private boolean gone;

    /** The bricks' answer for the file: its gfid while it is there, ENOENT once it was unlinked. */
    private final Supplier<Gfid> look = () -> {
        if (gone) {
            throw new FopException(Errno.ENOENT, "gone");
        }
        return file;
    };

    private Runnable unlink(String what) {
        return () -> {
            unlinked.add(what);
            gone = true;
        };
    }

    @Test
    void tellsHiddenNamesByTheirLastComponent() {
        assertTrue(HiddenFiles.hidden("a/b/.fuse_hidden0000017f0000017c"));
        assertTrue(HiddenFiles.hidden(".fuse_hidden0000000200000001"));
        assertFalse(HiddenFiles.hidden(".fuse_hidden/file"));
        assertFalse(HiddenFiles.hidden("a/x.fuse_hidden01"));
    }

    @Test
    void aRemovalWaitsForTheLastDescriptorOpenedUnderTheHiddenName() {
        assertEquals(file, hidden.open(look));
        assertEquals(file, hidden.open(look));
        hidden.remove(look, unlink("at removal"));
        assertEquals(List.of(), unlinked, "libfuse's removal waits while descriptors are open");
        hidden.release(file, unlink("first release"));
        assertEquals(List.of(), unlinked, "one descriptor is still open");
        hidden.release(file, unlink("last release"));
        assertEquals(List.of("last release"), unlinked);
    }

    @Test
    void aRemovalWithNothingOpenHappensAtOnceAndLaterOpensFindTheFileGone() {
        hidden.open(look);
        hidden.release(file, unlink("release without removal due"));
        assertEquals(List.of(), unlinked, "a close removes nothing libfuse did not ask to remove");
        hidden.remove(look, unlink("at removal"));
        assertEquals(List.of("at removal"), unlinked);
        FopException e = assertThrows(FopException.class, () -> hidden.open(look));
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void filesWithoutAGfidAreNotCounted() {
        assertNull(hidden.open(() -> null));
        hidden.remove(() -> null, unlink("at removal"));
        assertEquals(List.of("at removal"), unlinked);
    }
}
