package io.camelfs.volume;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A volume as declared in a node's YAML, bound by Camel as a bean:
 *
 * <pre>
 * - beans:
 *     - name: web
 *       type: io.camelfs.volume.VolumeDefinition
 *       properties:
 *         replica: 3
 *         bricks: 127.0.0.1:24011,127.0.0.1:24012,127.0.0.1:24013
 *         options:
 *           quorum: auto
 * </pre>
 *
 * Mutable only so the YAML can fill it in; {@link #toSpec(String)} checks everything and yields the immutable
 * {@link VolumeSpec}.
 */
public class VolumeDefinition {
    private String name;
    private int replica;
    private List<String> bricks = new ArrayList<>();
    private int arbiter;
    private Map<String, String> options = new LinkedHashMap<>();

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public int getReplica() {
        return replica;
    }

    public void setReplica(int replica) {
        this.replica = replica;
    }

    public List<String> getBricks() {
        return bricks;
    }

    public void setBricks(List<String> bricks) {
        this.bricks = new ArrayList<>(bricks);
    }

    /** "host:port,host:port" as one string, the way GlusterFS's volume create takes them. */
    public void setBricks(String bricks) {
        this.bricks = new ArrayList<>();
        for (String b : bricks.split("[,\\s]+")) {
            if (!b.isBlank()) {
                this.bricks.add(b.trim());
            }
        }
    }

    public int getArbiter() {
        return arbiter;
    }

    public void setArbiter(int arbiter) {
        this.arbiter = arbiter;
    }

    public Map<String, String> getOptions() {
        return options;
    }

    public void setOptions(Map<String, String> options) {
        this.options = new LinkedHashMap<>(options);
    }

    /** The checked, immutable volume; the bean's registry name is the volume name unless name is set. */
    public VolumeSpec toSpec(String beanName) {
        String n = name != null ? name : beanName;
        if (replica == 0) {
            replica = bricks.size();
        }
        return VolumeSpec.of(n, replica, bricks, arbiter, options);
    }

    @Override
    public String toString() {
        return "VolumeDefinition[" + name + ", replica " + replica + ", bricks " + bricks + ", options " + options
                + (arbiter > 0 ? ", arbiter " + arbiter : "") + "]";
    }
}
