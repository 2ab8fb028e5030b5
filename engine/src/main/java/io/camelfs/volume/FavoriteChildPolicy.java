package io.camelfs.volume;

import java.util.Locale;

/**
 * The volume option favorite-child-policy: how self-heal resolves a split-brain by itself. NONE leaves it to an
 * operator (reads fail with EIO, heal info marks the entry, the CLI resolves it); the others pick the copy with the
 * biggest size, the latest mtime, or the one more than half of the copies agree on. A tie resolves nothing.
 */
public enum FavoriteChildPolicy {
    NONE, SIZE, MTIME, MAJORITY;

    public static FavoriteChildPolicy parse(String v) {
        try {
            return valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidVolumeException("option favorite-child-policy: '" + v
                    + "' is not one of none, size, mtime, majority");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
