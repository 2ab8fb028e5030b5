package io.camelfs.heal;

/** Told how a crawl is going, about twice a second while it runs. */
@FunctionalInterface
public interface HealProgress {
    HealProgress NONE = (done, total, healed, failed, millis) -> { };

    /**
     * @param done   inodes looked at so far
     * @param total  inodes known to need a look (grows during a full crawl)
     * @param millis since the crawl started
     */
    void update(long done, long total, long healed, long failed, long millis);
}
