package io.camelfs.client;

/** This machine's host name, as clients name themselves to bricks and in heal statistics. */
public final class LocalHost {
    private LocalHost() {
    }

    /** The host name, or "localhost" when the machine cannot resolve its own name. */
    public static String name() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
