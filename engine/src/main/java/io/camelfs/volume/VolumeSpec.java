package io.camelfs.volume;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The definition of a volume: its name, replica count, bricks in order and options. Immutable and validated: every
 * constructor path either yields a usable volume or a one-line {@link InvalidVolumeException}.
 */
public record VolumeSpec(String name, int replica, List<BrickAddress> bricks, int arbiter, VolumeOptions options) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public VolumeSpec {
        checkName(name);
        if (replica < 1 || replica > 16) {
            throw new InvalidVolumeException("volume " + name + ": replica " + replica + " must be between 1 and 16");
        }
        if (bricks == null || bricks.size() != replica) {
            throw new InvalidVolumeException("volume " + name + ": replica " + replica + " needs exactly " + replica
                    + " bricks, " + (bricks == null ? 0 : bricks.size()) + " given");
        }
        Set<BrickAddress> seen = new HashSet<>();
        for (BrickAddress b : bricks) {
            if (!seen.add(b)) {
                throw new InvalidVolumeException("volume " + name + ": brick " + b + " is listed twice");
            }
        }
        if (arbiter < 0 || arbiter > 1 || (arbiter == 1 && replica != 3)) {
            throw new InvalidVolumeException("volume " + name + ": arbiter " + arbiter
                    + " is only possible as 'replica 3 arbiter 1'");
        }
        bricks = List.copyOf(bricks);
    }

    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidVolumeException("volume name '" + name + "' must be 1-64 letters, digits, '.', '_' or"
                    + " '-', starting with a letter or digit");
        }
    }

    public static VolumeSpec of(String name, int replica, List<String> bricks, int arbiter,
            Map<String, String> options) {
        checkName(name);
        List<BrickAddress> list = new ArrayList<>();
        for (String b : bricks) {
            list.add(BrickAddress.parse(b));
        }
        return new VolumeSpec(name, replica, list, arbiter, VolumeOptions.of(options, replica));
    }

    public Quorum quorum() {
        return options.quorum(replica);
    }

    /** Index of a brick in this volume, or -1. */
    public int indexOf(BrickAddress a) {
        return bricks.indexOf(a);
    }

    @Override
    public String toString() {
        return name + " (replica " + replica + (arbiter > 0 ? " arbiter " + arbiter : "") + ": " + bricks + ")";
    }
}
