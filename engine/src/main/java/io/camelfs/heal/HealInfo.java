package io.camelfs.heal;

import java.util.List;

/**
 * What needs heal, brick by brick, straight from the bricks' heal indices (no crawl): GlusterFS's "heal info".
 *
 * @param bricks in the volume's brick order
 */
public record HealInfo(String volume, List<Brick> bricks) {

    /**
     * One path that needs heal (as the index recorded it); gfid only when no path was recorded; splitBrain when a
     * healer found no copy to trust.
     */
    public record Entry(String path, String gfid, boolean splitBrain) {
    }

    /**
     * @param status  "Connected", or why the brick cannot be asked
     * @param entries null when the brick could not be asked
     */
    public record Brick(String address, String status, List<Entry> entries, long pending, long dirty,
            long splitBrain) {
        public boolean connected() {
            return entries != null;
        }
    }

    /** Entries on all connected bricks. */
    public long total() {
        return bricks.stream().filter(Brick::connected).mapToLong(b -> b.entries().size()).sum();
    }

    public long splitBrain() {
        return bricks.stream().filter(Brick::connected).mapToLong(Brick::splitBrain).sum();
    }
}
