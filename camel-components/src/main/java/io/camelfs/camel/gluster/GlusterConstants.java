package io.camelfs.camel.gluster;

import org.apache.camel.Exchange;
import org.apache.camel.spi.Metadata;

/** Headers the gluster: component reads and sets. */
public final class GlusterConstants {
    @Metadata(description = "Path in the volume (the same header camel-file uses, so file: to gluster: is one"
            + " line). Falls back to the endpoint's path option.", javaType = "String")
    public static final String FILE_NAME = Exchange.FILE_NAME;
    @Metadata(label = "producer", description = "Overrides the endpoint's operation for this exchange.",
              javaType = "io.camelfs.camel.gluster.GlusterOperation")
    public static final String OPERATION = "CamelGlusterOperation";
    @Metadata(description = "Permission bits for created files and directories, octal text like 0644.",
              javaType = "String")
    public static final String MODE = "CamelGlusterMode";
    @Metadata(description = "The gfid of the file written, read or stated.", javaType = "String")
    public static final String GFID = "CamelGlusterGfid";
    @Metadata(description = "Size in bytes of the file after the operation.", javaType = "long")
    public static final String FILE_LENGTH = Exchange.FILE_LENGTH;
    @Metadata(description = "Last modification time of the file, in epoch milliseconds.", javaType = "long")
    public static final String FILE_LAST_MODIFIED = Exchange.FILE_LAST_MODIFIED;

    @Metadata(label = "producer", description = "rename: the new path.", javaType = "String")
    public static final String RENAME_TO = "CamelGlusterRenameTo";
    @Metadata(label = "producer", description = "truncate: the new length in bytes.", javaType = "long")
    public static final String SIZE = "CamelGlusterSize";
    @Metadata(label = "producer", description = "heal: inodes repaired by the crawl; healInfo: entries that need"
              + " heal on all bricks that answered.", javaType = "long")
    public static final String HEALED = "CamelGlusterHealed";
    @Metadata(label = "producer", description = "healInfo: entries that need heal on all bricks that answered.",
              javaType = "long")
    public static final String HEAL_PENDING = "CamelGlusterHealPending";
    @Metadata(label = "producer", description = "heal: inodes the crawl could not heal (retried by the next crawl).",
              javaType = "long")
    public static final String HEAL_FAILED = "CamelGlusterHealFailed";
    @Metadata(label = "producer", description = "heal and healInfo: entries in split-brain.", javaType = "long")
    public static final String SPLIT_BRAIN = "CamelGlusterSplitBrain";

    private GlusterConstants() {
    }
    @Metadata(label = "consumer", description = "The change: create, modify, delete, rename or attrib.",
              javaType = "String")
    public static final String EVENT_TYPE = "CamelGlusterEventType";
    @Metadata(label = "consumer", description = "When the client made the change, in epoch milliseconds (the"
            + " client's clock, the same on every brick).", javaType = "long")
    public static final String EVENT_TIME = "CamelGlusterEventTime";
    @Metadata(label = "consumer", description = "The event's number in the journal of the brick it was read from.",
              javaType = "long")
    public static final String EVENT_SEQ = "CamelGlusterEventSeq";
    @Metadata(label = "consumer", description = "The brick (host:port) whose journal the event was read from.",
              javaType = "String")
    public static final String EVENT_BRICK = "CamelGlusterEventBrick";
    @Metadata(label = "consumer", description = "True when the path is a directory.", javaType = "boolean")
    public static final String DIRECTORY = "CamelGlusterDirectory";
    @Metadata(label = "producer", description = "setattr: the new owner as uid:gid (either may be empty).",
              javaType = "String")
    public static final String OWNER = "CamelGlusterOwner";
}
