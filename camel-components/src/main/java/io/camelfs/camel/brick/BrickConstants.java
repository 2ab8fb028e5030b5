package io.camelfs.camel.brick;

import org.apache.camel.spi.Metadata;

/** Headers of the exchanges a brick: consumer emits. */
public final class BrickConstants {
    @Metadata(description = "What happened: started, stopped, clientConnected or clientDisconnected.",
              javaType = "String")
    public static final String EVENT = "CamelGlusterBrickEvent";
    @Metadata(description = "The brick's address, host:port.", javaType = "String")
    public static final String BRICK = "CamelGlusterBrick";
    @Metadata(description = "The volume the brick belongs to.", javaType = "String")
    public static final String VOLUME = "CamelGlusterVolume";
    @Metadata(description = "The client that connected or disconnected (host and program).", javaType = "String")
    public static final String CLIENT = "CamelGlusterClient";

    private BrickConstants() {
    }
}
