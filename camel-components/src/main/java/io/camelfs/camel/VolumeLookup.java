package io.camelfs.camel;

import io.camelfs.volume.InvalidVolumeException;
import io.camelfs.volume.VolumeDefinition;
import io.camelfs.volume.VolumeSpec;
import java.util.Map;
import org.apache.camel.CamelContext;

/** Finds a volume declared as a {@link VolumeDefinition} bean in the node's YAML. */
public final class VolumeLookup {
    private VolumeLookup() {
    }

    /** The volume named so in this node's registry, or null when the node does not declare it. */
    public static VolumeSpec find(CamelContext context, String volume) {
        Object bean = context.getRegistry().lookupByName(volume);
        if (bean instanceof VolumeDefinition d) {
            return d.toSpec(volume);
        }
        for (Map.Entry<String, VolumeDefinition> e : context.getRegistry().findByTypeWithName(VolumeDefinition.class)
                .entrySet()) {
            if (volume.equals(e.getValue().getName())) {
                return e.getValue().toSpec(e.getKey());
            }
        }
        return null;
    }

    public static VolumeSpec require(CamelContext context, String volume, String uri) {
        VolumeSpec s = find(context, volume);
        if (s == null) {
            throw new InvalidVolumeException(uri + ": no volume '" + volume + "' is defined on this node (declare it"
                    + " with a beans: entry of type " + VolumeDefinition.class.getName() + ")");
        }
        return s;
    }
}
