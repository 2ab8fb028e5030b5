package io.camelfs.volume;

import java.util.List;
import java.util.Locale;

/**
 * Client quorum: how many bricks must take a write. {@code auto}: a majority; with an even replica count exactly
 * half is enough only if the first brick is among them (so replica 2 needs the first brick, as in GlusterFS).
 * {@code fixed:N}: at least N bricks. {@code none}: any one brick.
 */
public record Quorum(Type type, int count) {
    public enum Type { AUTO, FIXED, NONE }

    public static final Quorum AUTO = new Quorum(Type.AUTO, 0);
    public static final Quorum NONE = new Quorum(Type.NONE, 0);

    public static Quorum parse(String s, int replica) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return AUTO;
        }
        if (v.equals("none")) {
            return NONE;
        }
        if (v.startsWith("fixed:")) {
            int n;
            try {
                n = Integer.parseInt(v.substring(6));
            } catch (NumberFormatException e) {
                throw new InvalidVolumeException("option quorum: '" + s + "' is not fixed:N with N a number");
            }
            if (n < 1 || n > replica) {
                throw new InvalidVolumeException("option quorum: fixed:" + n + " must be between 1 and the replica"
                        + " count " + replica);
            }
            return new Quorum(Type.FIXED, n);
        }
        throw new InvalidVolumeException("option quorum: '" + s + "' is not one of auto, fixed:N, none");
    }

    /** Is a write that reached exactly these bricks (indices) acceptable? */
    public boolean met(List<Integer> bricks, int replica) {
        int n = bricks.size();
        switch (type) {
            case NONE:
                return n >= 1;
            case FIXED:
                return n >= count;
            default:
                if (2 * n > replica) {
                    return true;
                }
                return 2 * n == replica && bricks.contains(0);
        }
    }

    /** What the rule asks for, for error messages. */
    public String describe(int replica) {
        switch (type) {
            case NONE:
                return "quorum none: any 1 brick";
            case FIXED:
                return "quorum fixed:" + count + ": " + count + " of " + replica + " bricks";
            default:
                return replica % 2 == 0
                        ? "quorum auto: " + (replica / 2 + 1) + " of " + replica + " bricks, or " + replica / 2
                                + " including the first"
                        : "quorum auto: " + (replica / 2 + 1) + " of " + replica + " bricks";
        }
    }

    @Override
    public String toString() {
        return type == Type.FIXED ? "fixed:" + count : type.name().toLowerCase(Locale.ROOT);
    }
}
