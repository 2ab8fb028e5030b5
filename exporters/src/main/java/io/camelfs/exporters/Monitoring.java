package io.camelfs.exporters;

import io.camelfs.brick.BrickServer;
import io.camelfs.brick.LocalBricks;
import io.camelfs.camel.gluster.GlusterComponent;
import io.camelfs.camel.gluster.VolumeHandle;
import io.camelfs.exporters.jmx.JmxBeans;
import io.camelfs.exporters.jmx.JolokiaAgent;
import io.camelfs.exporters.prometheus.CamelfsCollector;
import io.camelfs.exporters.prometheus.MetricsServer;
import io.camelfs.volume.VolumeDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's monitoring, declared as one bean in its YAML: MBeans for every volume it declares and every brick it
 * serves (always), Prometheus {@code /metrics} when {@code metricsPort} is set, Jolokia when {@code jolokiaPort}
 * is set. Both listen on 127.0.0.1 unless told otherwise. Starts after the routes (so the bricks exist) and
 * refuses to start -- taking the node with it -- when a port is taken.
 *
 * <pre>
 * - beans:
 *     - name: monitoring
 *       type: io.camelfs.exporters.Monitoring
 *       properties:
 *         metricsPort: 9701
 *         jolokiaPort: 8781
 * </pre>
 */
public class Monitoring extends ServiceSupport implements CamelContextAware {
    private static final Logger LOG = LoggerFactory.getLogger(Monitoring.class);

    private CamelContext context;
    private String metricsHost = "127.0.0.1";
    private int metricsPort = -1;
    private String jolokiaHost = "127.0.0.1";
    private int jolokiaPort = -1;
    private String jolokiaUser;
    private String jolokiaPassword;
    private String jolokiaPolicy;

    private final JmxBeans beans = new JmxBeans();
    /** The volumes this node declares, connected once at start: a scrape reads them, it does not look them up. */
    private List<VolumeHandle> volumes = List.of();
    private MetricsServer metrics;
    private JolokiaAgent jolokia;

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        if (this.context == context) {
            return; // adding the service below hands the context back
        }
        this.context = context;
        try {
            // started with the context's services and stopped on shutdown
            context.addService(this, true, false);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void doStart() {
        volumes = declaredVolumes();
        beans.register(volumes);
        try {
            if (metricsPort >= 0) {
                metrics = MetricsServer.start(metricsHost, metricsPort, new CamelfsCollector(this::bricks,
                        () -> volumes));
                LOG.info("camelfs metrics at http://{}:{}/metrics", metricsHost, metrics.port());
            }
            if (jolokiaPort >= 0) {
                jolokia = JolokiaAgent.start(jolokiaHost, jolokiaPort, jolokiaPolicy == null ? null
                        : Path.of(jolokiaPolicy), jolokiaUser, jolokiaPassword);
                LOG.info("camelfs JMX over Jolokia at {} ({})", jolokia.url(), jolokiaPolicy == null
                        ? "default policy: read everything, exec only heal operations" : "policy " + jolokiaPolicy);
            }
        } catch (RuntimeException e) {
            doStop();
            throw e;
        }
    }

    @Override
    protected void doStop() {
        if (jolokia != null) {
            jolokia.close();
            jolokia = null;
        }
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        beans.close();
    }

    private Collection<BrickServer> bricks() {
        return LocalBricks.servers();
    }

    /** Every volume this node declares, connected through the gluster: component so routes and metrics share it. */
    private List<VolumeHandle> declaredVolumes() {
        List<VolumeHandle> out = new ArrayList<>();
        Map<String, VolumeDefinition> declared = context.getRegistry().findByTypeWithName(VolumeDefinition.class);
        if (declared.isEmpty()) {
            return out;
        }
        GlusterComponent gluster = context.getComponent("gluster", GlusterComponent.class);
        for (Map.Entry<String, VolumeDefinition> e : new TreeMap<>(declared).entrySet()) {
            String name = e.getValue().getName() != null ? e.getValue().getName() : e.getKey();
            out.add(gluster.volume(name));
        }
        return out;
    }

    /** The port /metrics listens on (useful with metricsPort 0), or -1. */
    public int metricsPortBound() {
        return metrics == null ? -1 : metrics.port();
    }

    public String getMetricsHost() {
        return metricsHost;
    }

    public void setMetricsHost(String metricsHost) {
        this.metricsHost = metricsHost;
    }

    public int getMetricsPort() {
        return metricsPort;
    }

    /** -1 (the default) serves no /metrics; 0 picks a free port. */
    public void setMetricsPort(int metricsPort) {
        this.metricsPort = metricsPort;
    }

    public String getJolokiaHost() {
        return jolokiaHost;
    }

    public void setJolokiaHost(String jolokiaHost) {
        this.jolokiaHost = jolokiaHost;
    }

    public int getJolokiaPort() {
        return jolokiaPort;
    }

    public void setJolokiaPort(int jolokiaPort) {
        this.jolokiaPort = jolokiaPort;
    }

    public String getJolokiaUser() {
        return jolokiaUser;
    }

    public void setJolokiaUser(String jolokiaUser) {
        this.jolokiaUser = jolokiaUser;
    }

    public String getJolokiaPassword() {
        return jolokiaPassword;
    }

    public void setJolokiaPassword(String jolokiaPassword) {
        this.jolokiaPassword = jolokiaPassword;
    }

    public String getJolokiaPolicy() {
        return jolokiaPolicy;
    }

    /** A Jolokia policy file (jolokia-access.xml format) instead of the shipped one. */
    public void setJolokiaPolicy(String jolokiaPolicy) {
        this.jolokiaPolicy = jolokiaPolicy;
    }

    @Override
    public String toString() {
        return "camelfs monitoring (metrics " + (metricsPort < 0 ? "off" : metricsHost + ":" + metricsPort)
                + ", jolokia " + (jolokiaPort < 0 ? "off" : jolokiaHost + ":" + jolokiaPort) + ")";
    }
}
