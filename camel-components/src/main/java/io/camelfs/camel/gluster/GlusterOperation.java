package io.camelfs.camel.gluster;

/** What a gluster: producer does with the exchange. */
public enum GlusterOperation {
    write, read, delete, list, mkdir, stat,
    /** Adds the body at the end of the file (creating it when missing). */
    append,
    /** Renames the file or directory to the CamelGlusterRenameTo header's path, replacing what is there. */
    rename,
    /** Cuts (or extends with zeros) the file to the CamelGlusterSize header's length. */
    truncate,
    /** Self-heal now: an index crawl, or a full crawl with mode=full; the body becomes the crawl's report. */
    heal,
    /** What needs heal, per brick, from the bricks' heal indices; the body becomes the HealInfo. */
    healInfo,
    /**
     * Changes mode (CamelGlusterMode, octal), owner (CamelGlusterOwner, uid:gid) and modification time
     * (CamelFileLastModified, epoch ms) -- whichever headers are set; the body becomes the file's GlusterFile.
     */
    setattr
}
