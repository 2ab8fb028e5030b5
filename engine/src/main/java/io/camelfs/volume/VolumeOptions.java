package io.camelfs.volume;

import io.camelfs.protocol.Frame;
import io.camelfs.tls.SubjectAllowList;
import io.camelfs.tls.TlsFiles;
import io.camelfs.tls.TlsSetupException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A volume's options, checked when the volume is defined: an unknown name or a wrong value is an error that names
 * the option. Values are kept as text so a brick can hand them to clients unchanged.
 */
public final class VolumeOptions {
    /** Every option with its default and what it means (printed by `camelfs volume options`). */
    public static final Map<String, String[]> KNOWN;

    static {
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put("quorum", new String[] {"auto", "client quorum for writes: auto, fixed:N or none"});
        m.put("brick-timeout", new String[] {"5s", "a brick that does not answer for this long is down"});
        m.put("read-child", new String[] {"local", "which good brick serves reads: local, first or hash"});
        m.put("sync-writes", new String[] {"false", "bricks fsync every write before acknowledging it"});
        m.put("local-socket", new String[] {"true",
            "clients on a brick's own host reach it through a Unix socket instead of TCP (not with tls)"});
        m.put("session-grace", new String[] {"10s",
            "how long a brick keeps a vanished client's leases and locks before releasing them"});
        m.put("lease-timeout", new String[] {"20s",
            "a lease (AFR's eager lock) unused this long lapses on the bricks; its client trusts it for half of that"
                + " and meanwhile answers from what it guards (attributes, xattrs, directory listings); at least 2s"});
        m.put("favorite-child-policy", new String[] {"none",
            "how self-heal resolves split-brain by itself: none (an operator decides), size, mtime or majority"});
        m.put("heal-parallelism", new String[] {"8", "how many files one healer repairs at once"});
        m.put("heal-on-access", new String[] {"true",
            "a client that reads a file needing heal serves it from a good copy and repairs the others"});
        m.put("auth.allow", new String[] {"*",
            "client addresses the bricks serve: addresses, CIDR blocks, wildcards like 192.168.1.*, comma separated"});
        m.put("auth.reject", new String[] {"",
            "client addresses the bricks refuse, same syntax; reject wins over allow"});
        m.put("tls", new String[] {"false",
            "bricks and clients speak mutual TLS 1.3 only: each side shows a certificate the other's CA signed"});
        m.put("tls.cert", new String[] {"/etc/ssl/camelfs.pem", "this node's certificate (PEM, may hold the chain)"});
        m.put("tls.key", new String[] {"/etc/ssl/camelfs.key", "this node's private key (unencrypted PKCS#8 PEM)"});
        m.put("tls.ca", new String[] {"/etc/ssl/camelfs.ca", "the CA certificates this node trusts (PEM)"});
        m.put("auth.ssl-allow", new String[] {"*",
            "with tls: the certificate subjects bricks serve, common names or DNs separated by ';';"
                + " * = all the CA signed"});
        m.put("max-connections", new String[] {"512", "connections one brick serves at once; more are refused"});
        m.put("max-connections-per-client", new String[] {"64",
            "connections one client address may hold to a brick, so one client cannot take them all"});
        m.put("max-locks-per-client", new String[] {"4096",
            "byte-range locks one client may hold or wait for on a brick; more get ENOLCK"});
        m.put("max-request-size", new String[] {"64MiB",
            "the largest request a brick reads (64 MiB at most, the protocol's frame limit);"
                + " a larger one ends the connection"});
        m.put("request-memory", new String[] {"256MiB",
            "memory a brick gives requests over 64 KiB being received and served at once; others wait their turn"});
        m.put("idle-timeout", new String[] {"5m",
            "a brick closes a connection that sent nothing this long (clients drop theirs at half of it);"
                + " at least 2s"});
        m.put("root-squash", new String[] {"false",
            "bricks treat a client's root (uid 0) as anonuid/anongid: owner of what it creates, checked like others"});
        m.put("all-squash", new String[] {"false", "bricks treat every client user as anonuid/anongid"});
        m.put("anonuid", new String[] {"65534", "the uid squashed users act as (nobody)"});
        m.put("anongid", new String[] {"65534", "the gid squashed users act as (nogroup)"});
        KNOWN = Collections.unmodifiableMap(m);
    }

    private final Map<String, String> values;

    private VolumeOptions(Map<String, String> values) {
        this.values = values;
    }

    public static VolumeOptions of(Map<String, String> given, int replica) {
        Map<String, String> v = new TreeMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String name = dashed(e.getKey().trim());
            if ((name.startsWith("auth-") || name.startsWith("tls-")) && !KNOWN.containsKey(name)) {
                name = name.replaceFirst("-", "."); // authAllow from Camel's binding, auth.allow as GlusterFS spells it
            }
            if (!KNOWN.containsKey(name)) {
                throw new InvalidVolumeException("unknown volume option '" + name + "' (known: "
                        + String.join(", ", KNOWN.keySet()) + ")");
            }
            v.put(name, e.getValue() == null ? "" : e.getValue().trim());
        }
        VolumeOptions o = new VolumeOptions(Collections.unmodifiableMap(v));
        // parse everything once so a wrong value fails when the volume is defined, not on first use
        o.quorum(replica);
        o.brickTimeout();
        o.readChild();
        o.syncWrites();
        o.localSocket();
        o.sessionGrace();
        o.leaseTimeout();
        o.favoriteChildPolicy();
        o.healParallelism();
        o.healOnAccess();
        o.authAllow();
        o.authReject();
        o.squash();
        o.tlsFiles();
        o.maxConnections();
        o.maxConnectionsPerClient();
        o.idleTimeout();
        o.maxLocksPerClient();
        o.maxRequestSize();
        o.requestMemory();
        o.sslAllow();
        return o;
    }

    /** "brickTimeout" -> "brick-timeout": Camel's property binding hands map keys over in camelCase. */
    static String dashed(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                sb.append('-').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    public Map<String, String> asMap() {
        return values;
    }

    private String get(String name) {
        return values.getOrDefault(name, KNOWN.get(name)[0]);
    }

    public Quorum quorum(int replica) {
        return Quorum.parse(get("quorum"), replica);
    }

    public Duration brickTimeout() {
        Duration d = duration("brick-timeout");
        if (d.isZero() || d.isNegative()) {
            throw new InvalidVolumeException("option brick-timeout: must be positive");
        }
        return d;
    }

    public Duration sessionGrace() {
        return duration("session-grace");
    }

    /** At least 2 s: bricks look for lapsed leases once a second. */
    public Duration leaseTimeout() {
        return twoSecondsOrMore("lease-timeout", "bricks look for lapsed leases once a second");
    }

    public String readChild() {
        String v = get("read-child").toLowerCase(Locale.ROOT);
        if (!v.equals("local") && !v.equals("first") && !v.equals("hash")) {
            throw new InvalidVolumeException("option read-child: '" + v + "' is not one of local, first, hash");
        }
        return v;
    }

    public FavoriteChildPolicy favoriteChildPolicy() {
        return FavoriteChildPolicy.parse(get("favorite-child-policy"));
    }

    public int healParallelism() {
        return count("heal-parallelism", 1, 256);
    }

    public boolean healOnAccess() {
        return bool("heal-on-access");
    }

    public AddressList authAllow() {
        return AddressList.parse("auth.allow", get("auth.allow"));
    }

    public AddressList authReject() {
        return AddressList.parse("auth.reject", get("auth.reject"));
    }

    /** Why a client at this address may not use the volume, or null when it may. */
    public String refusal(InetAddress client) {
        if (authReject().matches(client)) {
            return "client " + client.getHostAddress() + " is refused by auth.reject (" + authReject() + ")";
        }
        if (!authAllow().matches(client)) {
            return "client " + client.getHostAddress() + " is not in auth.allow (" + authAllow() + ")";
        }
        return null;
    }

    public int maxConnections() {
        return count("max-connections", 1, 1_000_000);
    }

    public int maxRequestSize() {
        long b = bytes("max-request-size");
        if (b < 64 << 10 || b > Frame.MAX_FRAME) {
            throw new InvalidVolumeException("option max-request-size: '" + get("max-request-size")
                    + "' is not between 64KiB and 64MiB");
        }
        return (int) b;
    }

    /** At least one largest request, at most 1 TiB; a brick keeps it as KiB permits. */
    public long requestMemory() {
        long b = bytes("request-memory");
        if (b < maxRequestSize() || b > (1L << 40)) {
            throw new InvalidVolumeException("option request-memory: '" + get("request-memory") + "' is smaller"
                    + " than max-request-size (" + get("max-request-size") + ") or larger than 1TiB");
        }
        return b;
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kKmMgGtT]?)(i?[bB])?");

    /** "256MiB", "64M", "512KiB", "1G" or a number of bytes. */
    private long bytes(String name) {
        String v = get(name).trim();
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new InvalidVolumeException("option " + name + ": '" + v + "' is not a size like 64MiB or 512KiB");
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new InvalidVolumeException("option " + name + ": '" + v + "' is too large");
        }
    }

    public int maxLocksPerClient() {
        return count("max-locks-per-client", 1, 1_000_000);
    }

    public int maxConnectionsPerClient() {
        return count("max-connections-per-client", 1, 1_000_000);
    }

    /** At least 2 s: clients heartbeat every second on the connection that carries their session. */
    public Duration idleTimeout() {
        return twoSecondsOrMore("idle-timeout", "clients heartbeat once a second");
    }

    private Duration twoSecondsOrMore(String name, String why) {
        Duration d = duration(name);
        if (d.compareTo(Duration.ofSeconds(2)) < 0) {
            throw new InvalidVolumeException("option " + name + ": '" + get(name) + "' is shorter than 2s (" + why + ")");
        }
        return d;
    }

    private int count(String name, int min, int max) {
        String v = get(name);
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidVolumeException("option " + name + ": '" + v + "' is not a number from " + min + " to "
                + max);
    }

    /** The PEM files bricks and clients of this volume use, or null when the volume does not use TLS. */
    public TlsFiles tlsFiles() {
        if (!bool("tls")) {
            return null;
        }
        return new TlsFiles(Path.of(get("tls.cert")), Path.of(get("tls.key")), Path.of(get("tls.ca")));
    }

    public SubjectAllowList sslAllow() {
        try {
            return SubjectAllowList.parse("auth.ssl-allow", get("auth.ssl-allow"));
        } catch (TlsSetupException e) {
            throw new InvalidVolumeException("option " + e.getMessage());
        }
    }

    /** root-squash / all-squash with anonuid and anongid, as one value the bricks apply. */
    public Squash squash() {
        Squash.Mode mode = bool("all-squash") ? Squash.Mode.ALL : bool("root-squash") ? Squash.Mode.ROOT
                : Squash.Mode.NONE;
        return new Squash(mode, id("anonuid"), id("anongid"));
    }

    private int id(String name) {
        String v = get(name);
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 0 && n < 0xFFFF_FFFFL) {
                return (int) n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidVolumeException("option " + name + ": '" + v + "' is not a uid/gid from 0 to 4294967294");
    }

    public boolean syncWrites() {
        return bool("sync-writes");
    }

    public boolean localSocket() {
        return bool("local-socket");
    }

    private boolean bool(String name) {
        String v = get(name).toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("on") || v.equals("yes")) {
            return true;
        }
        if (v.equals("false") || v.equals("off") || v.equals("no")) {
            return false;
        }
        throw new InvalidVolumeException("option " + name + ": '" + get(name) + "' is not true or false");
    }

    private Duration duration(String name) {
        String v = get(name);
        try {
            return parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new InvalidVolumeException("option " + name + ": '" + v + "' is not a duration like 500ms, 5s"
                    + " or 2m");
        }
    }

    /** "250ms", "5s", "2m", "1h", or a bare number of seconds. */
    public static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        long mult;
        String num;
        if (s.endsWith("ms")) {
            mult = 1;
            num = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            mult = 1000;
            num = s.substring(0, s.length() - 1);
        } else if (s.endsWith("m")) {
            mult = 60_000;
            num = s.substring(0, s.length() - 1);
        } else if (s.endsWith("h")) {
            mult = 3_600_000;
            num = s.substring(0, s.length() - 1);
        } else {
            mult = 1000;
            num = s;
        }
        double n = Double.parseDouble(num.trim());
        if (n < 0 || Double.isNaN(n)) {
            throw new IllegalArgumentException("negative duration");
        }
        return Duration.ofMillis(Math.round(n * mult));
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
