package io.camelfs.camel.gluster;

/** What a gluster: producer does with the exchange. */
public enum GlusterOperation {
    write, read, delete, list, mkdir, stat
}
