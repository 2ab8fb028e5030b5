package io.camelfs.mount;

import io.camelfs.posix.CpuLatencyRequest;
import io.camelfs.protocol.Transport;
import io.camelfs.tls.TlsFiles;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.InvalidVolumeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The -o options of a camelfs mount, as `camelfs mount -o`, `mount -t camelfs -o` and fstab give them. camelfs's own
 * options are consumed, FUSE's are passed on, mount(8)'s generic ones (_netdev, noauto, ...) are ignored, and
 * anything else is refused by name.
 */
public record MountOptions(List<BrickAddress> backupServers, boolean readOnly, boolean allowOther,
        boolean defaultPermissions, double attrTimeout, double entryTimeout, double negativeTimeout,
        double mdCacheTimeout, boolean syncCreate, boolean nonEmpty, String logFile, TlsFiles tls,
        Integer cpuLatencyMicros, List<String> fuseOptions) {

    private static final Pattern HOST_PORT = Pattern.compile("[^=\\s]+:\\d{1,5}");
    private static final Set<String> IGNORED = Set.of("defaults", "_netdev", "auto", "noauto", "user", "users",
            "nouser", "nofail", "rw", "exec", "noexec", "suid", "nosuid", "dev", "nodev", "async", "sync", "owner",
            "group", "atime", "noatime", "relatime", "strictatime", "nodiratime");

    public static MountOptions parse(String spec) {
        List<BrickAddress> backups = new ArrayList<>();
        boolean ro = false;
        boolean allowOther = false;
        boolean defaultPermissions = false;
        boolean nonEmpty = false;
        boolean syncCreate = false;
        // the kernel asks every time by default: libfuse's high-level API gives each path its own kernel node, so the
        // kernel could not be told that a hard link's other name changed; the mount's own cache (md-cache-timeout)
        // answers instead, and is invalidated by inode
        double attr = 0.0;
        double entry = 1.0;
        double negative = 0.0;
        double mdCache = 10.0;
        String logFile = null;
        // idle CPUs poll while upcalls flow (see CpuLatencyRequest); null: leave power management alone
        Integer cpuLatency = 0;
        boolean tls = false;
        TlsFiles files = TlsFiles.DEFAULT;
        boolean inBackups = false;
        if (spec != null && !spec.isBlank()) {
            for (String raw : spec.split(",")) {
                String o = raw.trim();
                if (o.isEmpty()) {
                    continue;
                }
                int eq = o.indexOf('=');
                String name = (eq < 0 ? o : o.substring(0, eq)).toLowerCase(Locale.ROOT).replace('_', '-');
                String value = eq < 0 ? null : o.substring(eq + 1);
                if (inBackups && eq < 0 && HOST_PORT.matcher(o).matches()) {
                    backups.add(BrickAddress.parse(o)); // backup-servers=H:P,H:P continues after the comma
                    continue;
                }
                inBackups = false;
                if (name.startsWith("x-") || name.equals("comment") || IGNORED.contains(o)) {
                    continue;
                }
                switch (name) {
                    case "backup-servers":
                    case "backup-volfile-servers":
                        for (String b : require(name, value).split(";")) {
                            if (!b.isBlank()) {
                                backups.add(BrickAddress.parse(b));
                            }
                        }
                        inBackups = true;
                        break;
                    case "ro":
                        ro = true;
                        break;
                    case "allow-other":
                        allowOther = true;
                        break;
                    case "default-permissions":
                        defaultPermissions = true;
                        break;
                    case "nonempty":
                        nonEmpty = true;
                        break;
                    case "sync-create":
                        syncCreate = true;
                        break;
                    case "attr-timeout":
                    case "attribute-timeout":
                        attr = seconds(name, value);
                        break;
                    case "entry-timeout":
                        entry = seconds(name, value);
                        break;
                    case "negative-timeout":
                        negative = seconds(name, value);
                        break;
                    case "md-cache-timeout":
                        mdCache = seconds(name, value);
                        break;
                    case "log-file":
                        logFile = require(name, value);
                        break;
                    case "cpu-latency":
                        cpuLatency = microseconds(name, value);
                        break;
                    case "tls":
                        tls = true;
                        break;
                    case "tls-cert":
                        tls = true;
                        files = new TlsFiles(Path.of(require(name, value)), files.key(), files.ca());
                        break;
                    case "tls-key":
                        tls = true;
                        files = new TlsFiles(files.cert(), Path.of(require(name, value)), files.ca());
                        break;
                    case "tls-ca":
                        tls = true;
                        files = new TlsFiles(files.cert(), files.key(), Path.of(require(name, value)));
                        break;
                    default:
                        throw new InvalidVolumeException("unknown mount option '" + o + "' (camelfs takes"
                                + " backup-servers=H:P,..., ro, allow_other, default_permissions, attr-timeout=S,"
                                + " entry-timeout=S, negative-timeout=S, md-cache-timeout=S, sync-create, nonempty,"
                                + " log-file=PATH, cpu-latency=US|off, tls, tls-cert=PEM, tls-key=PEM, tls-ca=PEM)");
                }
            }
        }
        List<String> fuse = new ArrayList<>();
        if (ro) {
            fuse.add("ro");
        }
        if (allowOther) {
            fuse.add("allow_other");
        }
        if (defaultPermissions) {
            fuse.add("default_permissions");
        }
        return new MountOptions(List.copyOf(backups), ro, allowOther, defaultPermissions, attr, entry, negative,
                mdCache, syncCreate, nonEmpty, logFile, tls ? files : null, cpuLatency, List.copyOf(fuse));
    }

    private static String require(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidVolumeException("mount option " + name + " needs a value");
        }
        return value;
    }

    private static double seconds(String name, String value) {
        try {
            double d = Double.parseDouble(require(name, value));
            if (d < 0 || Double.isNaN(d) || d > 3600) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new InvalidVolumeException("mount option " + name + ": '" + value + "' is not a number of seconds"
                    + " between 0 and 3600");
        }
    }

    private static Integer microseconds(String name, String value) {
        try {
            return CpuLatencyRequest.parseMicros(require(name, value));
        } catch (IllegalArgumentException e) {
            throw new InvalidVolumeException("mount option " + name + ": " + e.getMessage());
        }
    }

    /** How this mount reaches the bricks: mutual TLS with its tls files, or plain TCP. */
    public Transport transport() {
        return tls == null ? Transport.PLAIN : Transport.tls(tls);
    }

    /** The options handed to libfuse for this mount. */
    public List<String> fuseArgs(String fsname) {
        List<String> o = new ArrayList<>(fuseOptions);
        o.add("fsname=" + fsname.replace(",", "\\,"));
        o.add("subtype=camelfs");
        o.add("use_ino");
        o.add("readdir_ino");
        o.add("big_writes");
        o.add("max_write=" + FuseLoop.WRITE_BYTES);
        o.add("max_read=131072");
        o.add("attr_timeout=" + attrTimeout);
        o.add("entry_timeout=" + entryTimeout);
        o.add("negative_timeout=" + negativeTimeout);
        if (nonEmpty) {
            o.add("nonempty");
        }
        return List.of("-o", String.join(",", o));
    }

    /** The option string to hand on to a forked mount process. */
    public String render() {
        List<String> o = new ArrayList<>();
        if (!backupServers.isEmpty()) {
            StringBuilder sb = new StringBuilder("backup-servers=");
            for (int i = 0; i < backupServers.size(); i++) {
                sb.append(i > 0 ? "," : "").append(backupServers.get(i));
            }
            o.add(sb.toString());
        }
        if (readOnly) {
            o.add("ro");
        }
        if (allowOther) {
            o.add("allow_other");
        }
        if (defaultPermissions) {
            o.add("default_permissions");
        }
        if (nonEmpty) {
            o.add("nonempty");
        }
        if (syncCreate) {
            o.add("sync-create");
        }
        o.add("attr-timeout=" + attrTimeout);
        o.add("entry-timeout=" + entryTimeout);
        o.add("negative-timeout=" + negativeTimeout);
        o.add("md-cache-timeout=" + mdCacheTimeout);
        if (logFile != null) {
            o.add("log-file=" + logFile);
        }
        o.add("cpu-latency=" + (cpuLatencyMicros == null ? "off" : cpuLatencyMicros));
        if (tls != null) {
            o.add("tls-cert=" + tls.cert());
            o.add("tls-key=" + tls.key());
            o.add("tls-ca=" + tls.ca());
        }
        return String.join(",", o);
    }
}
