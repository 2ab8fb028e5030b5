package io.camelfs.mount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.camelfs.fop.Attr;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.Gfid;
import io.camelfs.fop.Timespec;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The mount's attribute and extended-attribute caches: what they answer, and what forgetting an inode drops. */
class MetadataCachesTest {
    private static final Timespec T = new Timespec(1_700_000_000L, 5);

    private static Attr file(Gfid g, int nlink) {
        return new Attr(g, 0100644, nlink, 0, 0, 0, 4096, 8, 4096, 7, T, T, T);
    }

    /** A loader that answers value and counts its calls. */
    private static Supplier<byte[]> counted(AtomicInteger loads, byte[] value) {
        return () -> {
            loads.incrementAndGet();
            return value;
        };
    }

    @Test
    void forgettingAnInodeDropsEveryNameItWasCachedUnder() {
        Set<Gfid> leases = new HashSet<>();
        AttrCache cache = new AttrCache(10_000, leases::contains, dir -> true);
        Gfid linked = Gfid.random();
        Gfid single = Gfid.random();
        leases.add(linked);
        leases.add(single);
        long now = System.nanoTime();
        // a link count of 1 keeps the entries serving past the operation, so that only forgetInode drops them
        cache.put("a/one", file(linked, 1), now);
        cache.put("b/two", file(linked, 1), now);
        cache.put("c/three", file(linked, 1), now);
        assertEquals(linked, cache.gfidOf("a/one"));
        cache.put("a/solo", file(single, 1), now);
        cache.put("a/solo", file(single, 1), now); // the same name again stays one name

        cache.forgetInode(linked);

        assertNull(cache.get("a/one"));
        assertNull(cache.get("b/two"));
        assertNull(cache.get("c/three"));
        assertEquals(single, cache.gfidOf("a/solo"));
        cache.forgetInode(single);
        assertNull(cache.get("a/solo"));
    }

    @Test
    void aFreshInodeAnswersEveryNameWithNoneWithoutAsking() {
        Set<Gfid> leases = new HashSet<>();
        XattrCache cache = new XattrCache(10_000, leases::contains);
        Gfid g = Gfid.random();
        leases.add(g);
        AtomicInteger loads = new AtomicInteger();
        cache.none("d/f", g, System.nanoTime());

        for (String name : new String[] {"security.capability", "user.mime", "security.capability"}) {
            FopException e = assertThrows(FopException.class,
                    () -> cache.get("d/f", name, g, counted(loads, new byte[0])));
            assertEquals(Errno.ENODATA, e.errno());
        }
        assertEquals(0, loads.get());
    }

    @Test
    void aPathKeepsTheLastAnswerAndAsksAgainForAnotherName() {
        Set<Gfid> leases = new HashSet<>();
        XattrCache cache = new XattrCache(10_000, leases::contains);
        Gfid g = Gfid.random();
        leases.add(g);
        AtomicInteger loads = new AtomicInteger();
        byte[] mime = "text/plain".getBytes(StandardCharsets.UTF_8);
        byte[] tag = "blue".getBytes(StandardCharsets.UTF_8);

        byte[] first = cache.get("d/f", "user.mime", g, counted(loads, mime));
        byte[] again = cache.get("d/f", "user.mime", g, counted(loads, tag));
        assertSame(mime, first);
        assertSame(mime, again);
        assertEquals(1, loads.get());

        assertArrayEquals(tag, cache.get("d/f", "user.tag", g, counted(loads, tag)));
        assertEquals(2, loads.get());

        leases.remove(g); // another client may change it now: the cached answer no longer serves
        assertArrayEquals(mime, cache.get("d/f", "user.tag", g, counted(loads, mime)));
        assertEquals(3, loads.get());
    }
}
