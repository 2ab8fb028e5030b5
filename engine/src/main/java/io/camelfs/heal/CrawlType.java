package io.camelfs.heal;

/** Why a heal ran: GlusterFS's crawl types, plus heals triggered by a client's access. */
public enum CrawlType {
    /** The bricks' heal indices: what failures marked. */
    INDEX,
    /** Every directory and file of the volume, compared copy by copy, marked or not. */
    FULL,
    /** Files a client found needing heal while it read or looked them up. */
    ACCESS
}
