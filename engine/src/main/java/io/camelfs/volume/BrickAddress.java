package io.camelfs.volume;

/** Where a brick listens: host and TCP port. */
public record BrickAddress(String host, int port) {
    public BrickAddress {
        if (host == null || host.isBlank()) {
            throw new InvalidVolumeException("brick address has no host");
        }
        if (port < 1 || port > 65535) {
            throw new InvalidVolumeException("brick port " + port + " is outside 1..65535");
        }
    }

    /** Parses "host:port" (IPv6 hosts in brackets: "[::1]:24007"). */
    public static BrickAddress parse(String s) {
        if (s == null) {
            throw new InvalidVolumeException("brick address missing");
        }
        String t = s.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new InvalidVolumeException("brick address '" + s + "' is not HOST:PORT");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new InvalidVolumeException("brick address '" + s + "' has a port that is not a number");
        }
        return new BrickAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
