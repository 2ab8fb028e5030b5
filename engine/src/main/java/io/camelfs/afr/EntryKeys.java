package io.camelfs.afr;

import io.camelfs.protocol.LeaseKeys;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The lease keys of one entry operation: the keys it takes (its names' entry keys, an inode's key) and, for each
 * directory whose listing it changes, that directory's listing key -- taken when this client knows the listing
 * (the operation renews it), cleared otherwise (another client that knows it must let go first).
 */
final class EntryKeys {
    private final Listings listings;
    private final boolean trusted;
    private final Set<String> taken = new LinkedHashSet<>();
    private final Set<String> cleared = new LinkedHashSet<>();

    /** @param trusted whether listings may be used now (every brick of the volume is up) */
    EntryKeys(Listings listings, boolean trusted) {
        this.listings = listings;
        this.trusted = trusted;
    }

    EntryKeys take(String key) {
        taken.add(key);
        return this;
    }

    EntryKeys clear(String key) {
        cleared.add(key);
        return this;
    }

    /** The operation adds or removes a name in dir. */
    EntryKeys changes(String dir) {
        String k = LeaseKeys.listing(dir);
        if (trusted && listings.knows(dir)) {
            taken.add(k);
        } else {
            cleared.add(k);
        }
        return this;
    }

    List<String> taken() {
        return new ArrayList<>(taken);
    }

    /** The keys to clear that it does not take. */
    List<String> cleared() {
        List<String> out = new ArrayList<>(cleared);
        out.removeAll(taken);
        return out;
    }
}
