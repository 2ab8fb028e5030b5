package io.camelfs.volume;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A list of client addresses as auth.allow and auth.reject take them: exact addresses, CIDR blocks (10.0.0.0/8,
 * fd00::/8), IPv4 wildcards (192.168.1.*, 10.*.*.*) and * for everyone, comma separated.
 */
public final class AddressList {
    private record Pattern(String text, byte[] network, int prefix, String[] wildcard) {
        boolean matches(InetAddress a) {
            if (text.equals("*")) {
                return true;
            }
            if (wildcard != null) {
                String[] parts = a.getHostAddress().split("\\.");
                if (parts.length != 4) {
                    return false;
                }
                for (int i = 0; i < 4; i++) {
                    if (!wildcard[i].equals("*") && !wildcard[i].equals(parts[i])) {
                        return false;
                    }
                }
                return true;
            }
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((b[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Pattern> patterns;
    private final String text;

    private AddressList(List<Pattern> patterns, String text) {
        this.patterns = patterns;
        this.text = text;
    }

    /** Parses a list; a pattern that is not an address, a CIDR block or a wildcard is an error naming it. */
    public static AddressList parse(String option, String text) {
        List<Pattern> out = new ArrayList<>();
        for (String raw : text.split(",")) {
            String p = raw.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            out.add(pattern(option, p));
        }
        return new AddressList(out, text.trim());
    }

    private static Pattern pattern(String option, String p) {
        if (p.equals("*")) {
            return new Pattern(p, null, 0, null);
        }
        String bad = "option " + option + ": '" + p + "' is not an address, a CIDR block (10.0.0.0/8) or a"
                + " wildcard (192.168.1.*)";
        if (p.contains("*")) {
            String[] w = p.split("\\.", -1);
            if (w.length != 4) {
                throw new InvalidVolumeException(bad);
            }
            for (String part : w) {
                if (!part.equals("*") && !part.matches("\\d{1,3}")) {
                    throw new InvalidVolumeException(bad);
                }
            }
            return new Pattern(p, null, 0, w);
        }
        String host = p;
        int prefix = -1;
        int slash = p.indexOf('/');
        if (slash >= 0) {
            host = p.substring(0, slash);
            try {
                prefix = Integer.parseInt(p.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new InvalidVolumeException(bad);
            }
        }
        if (!host.matches("[0-9a-f:.]+") || host.isEmpty()) {
            throw new InvalidVolumeException(bad); // literal addresses only: no name lookups when checking
        }
        try {
            byte[] net = InetAddress.getByName(host).getAddress();
            int bits = net.length * 8;
            if (prefix < 0) {
                prefix = bits;
            }
            if (prefix > bits) {
                throw new InvalidVolumeException(bad);
            }
            return new Pattern(p, net, prefix, null);
        } catch (UnknownHostException e) {
            throw new InvalidVolumeException(bad);
        }
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    public boolean matches(InetAddress a) {
        for (Pattern p : patterns) {
            if (p.matches(a)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
