package io.camelfs.exporters.jmx;

import io.camelfs.brick.BrickServer;
import io.camelfs.brick.LocalBricks;
import io.camelfs.camel.gluster.VolumeHandle;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/** Registers the MBeans of a node's volumes and bricks in the platform MBean server, and removes them again. */
public final class JmxBeans implements AutoCloseable, LocalBricks.Watcher {
    public static final String DOMAIN = "io.camelfs";

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final List<ObjectName> registered = new CopyOnWriteArrayList<>();

    public static ObjectName volumeName(String volume) {
        return name(DOMAIN + ":type=Volume,name=" + volume);
    }

    public static ObjectName brickName(BrickServer b) {
        return name(DOMAIN + ":type=Brick,volume=" + b.volume().name() + ",host=" + b.address().host() + ",port="
                + b.address().port());
    }

    private static ObjectName name(String s) {
        try {
            return new ObjectName(s);
        } catch (JMException e) {
            throw new IllegalArgumentException(s + ": " + e.getMessage(), e);
        }
    }

    /** Volumes now; bricks as they start and stop in this JVM (they may start after the exporter). */
    public void register(Collection<VolumeHandle> volumes) {
        for (VolumeHandle v : volumes) {
            add(volumeName(v.volume()), mbean(new VolumeView(v), VolumeMXBean.class));
        }
        LocalBricks.watch(this);
    }

    @Override
    public void started(BrickServer b) {
        add(brickName(b), mbean(new BrickView(b), BrickMXBean.class));
    }

    @Override
    public void stopped(BrickServer b) {
        ObjectName n = brickName(b);
        registered.remove(n);
        try {
            if (server.isRegistered(n)) {
                server.unregisterMBean(n);
            }
        } catch (JMException e) {
            // already gone
        }
    }

    private static <T> StandardMBean mbean(T view, Class<T> type) {
        return new StandardMBean(view, type, true);
    }

    private void add(ObjectName name, Object bean) {
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name); // a route restarted: the newest object is the one to show
            }
            server.registerMBean(bean, name);
            registered.add(name);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register MBean " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        LocalBricks.unwatch(this);
        for (ObjectName n : registered) {
            try {
                if (server.isRegistered(n)) {
                    server.unregisterMBean(n);
                }
            } catch (JMException e) {
                // already gone: nothing to undo
            }
        }
        registered.clear();
    }
}
