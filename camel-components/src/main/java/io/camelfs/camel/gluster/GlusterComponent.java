package io.camelfs.camel.gluster;

import io.camelfs.afr.Replicate;
import io.camelfs.camel.VolumeLookup;
import io.camelfs.client.LocalHost;
import io.camelfs.client.VolumeClient;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.InvalidVolumeException;
import io.camelfs.volume.VolumeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * gluster:VOLUME -- read, write and watch a replicated volume from any route. All endpoints of one volume share one
 * client (one session per node), connected on first use.
 */
@Component("gluster")
public class GlusterComponent extends DefaultComponent {
    private final Map<String, VolumeHandle> volumes = new ConcurrentHashMap<>();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        GlusterEndpoint e = new GlusterEndpoint(uri, this);
        e.setVolume(remaining);
        setProperties(e, parameters);
        return e;
    }

    VolumeHandle volume(GlusterEndpoint e) {
        return volumes.computeIfAbsent(e.getVolume(), v -> new VolumeHandle(connect(e, v), getCamelContext()
                .getName() + " on " + LocalHost.name()));
    }

    /** A volume this node declares, connected on first use (the monitoring exporters watch every one). */
    public VolumeHandle volume(String name) {
        return volumes.computeIfAbsent(name, v -> {
            VolumeSpec local = VolumeLookup.find(getCamelContext(), v);
            if (local == null) {
                throw new InvalidVolumeException("no volume '" + v + "' is declared on this node");
            }
            return new VolumeHandle(VolumeClient.open(local, "camel " + getCamelContext().getName() + " on "
                    + LocalHost.name()), getCamelContext().getName() + " on " + LocalHost.name());
        });
    }

    /** The volumes this node's routes and exporters use, by name. */
    public SortedMap<String, VolumeHandle> volumes() {
        return new TreeMap<>(volumes);
    }

    private Replicate connect(GlusterEndpoint e, String v) {
        VolumeSpec local = VolumeLookup.find(getCamelContext(), v);
        String name = "camel " + getCamelContext().getName() + " on " + LocalHost.name();
        if (local != null) {
            return VolumeClient.open(local, name);
        }
        if (e.getServers() == null || e.getServers().isBlank()) {
            throw new InvalidVolumeException(e.getEndpointUri() + ": volume '" + v + "' is not declared on this"
                    + " node; set servers=HOST:PORT of one of its bricks");
        }
        List<BrickAddress> all = new ArrayList<>();
        for (String s : e.getServers().split(",")) {
            all.add(BrickAddress.parse(s));
        }
        // a volume this node does not declare: TLS as the node's environment says (CAMELFS_TLS)
        return VolumeClient.open(all.get(0), all.subList(1, all.size()), v, name, VolumeClient.environmentTransport());
    }

    @Override
    protected void doStop() throws Exception {
        for (VolumeHandle h : volumes.values()) {
            h.close();
        }
        volumes.clear();
        super.doStop();
    }
}
