package io.camelfs.protocol;

/** The brick protocol's methods, numbered as they appear on the wire. */
public enum Method {
    HELLO(1), VOLUME(2), PING(3), CALL(4), ACQUIRE(5), RELEASE(6), SUBSCRIBE(7);

    private final int wire;

    Method(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    public static Method of(int wire) {
        for (Method m : values()) {
            if (m.wire == wire) {
                return m;
            }
        }
        return null;
    }
}
