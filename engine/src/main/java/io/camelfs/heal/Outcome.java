package io.camelfs.heal;

/** How the heal of one inode ended. */
enum Outcome {
    /** Something was repaired. */
    HEALED,
    /** All copies were already alike: at most marks were cleared. */
    CLEAN,
    /** No copy can be trusted without a choice; the entry is marked and left for an operator or a policy. */
    SPLIT_BRAIN,
    /** The inode is not on this brick any more: its index entry was dropped. */
    STALE,
    /** Could not finish now (a brick went away, the lock was busy): the next crawl tries again. */
    FAILED
}
