package io.camelfs.camel.gluster;

/** Which crawl operation=heal runs. */
public enum GlusterHealMode {
    /** What the bricks' heal indices list: O(what needs heal). */
    index,
    /** Every directory and file compared on every brick, marked or not. */
    full
}
