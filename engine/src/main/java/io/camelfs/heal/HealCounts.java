package io.camelfs.heal;

import java.util.List;

/**
 * How many entries each brick's heal index holds, kind by kind, without listing them: what a monitoring check
 * asks every minute, so it costs three small requests per brick whatever the backlog.
 *
 * @param bricks in the volume's brick order
 */
public record HealCounts(String volume, List<Brick> bricks) {

    /** @param status "Connected", or why the brick could not be asked (then the counts are 0) */
    public record Brick(String address, boolean connected, String status, long pending, long dirty,
            long splitBrain) {
        /** Entries waiting for a heal: marked pending, or with an outcome unknown. */
        public long needingHeal() {
            return pending + dirty;
        }
    }

    public long needingHeal() {
        return bricks.stream().mapToLong(Brick::needingHeal).sum();
    }

    public long splitBrain() {
        return bricks.stream().mapToLong(Brick::splitBrain).sum();
    }

    public long connected() {
        return bricks.stream().filter(Brick::connected).count();
    }
}
