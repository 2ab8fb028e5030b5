package io.camelfs.camel.brick;

import io.camelfs.camel.VolumeLookup;
import io.camelfs.volume.VolumeSpec;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * Serve a directory as a brick of a camelfs volume. The consumer is the brick server: it starts with the route and
 * stops with it, and emits an exchange for each lifecycle event (started, stopped, client connected or gone).
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "brick", title = "camelfs Brick", syntax = "brick:volume",
             consumerOnly = true, category = {Category.FILE}, headersClass = BrickConstants.class)
public class BrickEndpoint extends DefaultEndpoint {
    @UriPath(description = "Name of the volume this brick belongs to (declared as a VolumeDefinition bean)")
    @Metadata(required = true)
    private String volume;
    @UriParam(description = "The brick directory; relative paths are resolved against the working directory")
    @Metadata(required = true)
    private String directory;
    @UriParam(description = "TCP port the brick listens on; must be one of the volume's bricks on this host")
    @Metadata(required = true)
    private int port;
    @UriParam(description = "Address to listen on; by default the host named for this brick in the volume")
    private String bindHost;
    @UriParam(description = "Create the brick directory (and its parents) if it does not exist",
              defaultValue = "false")
    private boolean createDirectory;
    @UriParam(description = "Threads serving file operations", defaultValue = "16")
    private int threads = 16;
    @UriParam(description = "Wake-up latency in microseconds the brick asks idle CPUs for while it serves operations"
                            + " (the kernel's PM QoS, /dev/cpu_dma_latency; needs root), dropped after 100 ms without"
                            + " one; 0 keeps idle CPUs polling, off asks for nothing",
              defaultValue = "0")
    private String cpuLatency = "0";

    public BrickEndpoint(String uri, BrickComponent component) {
        super(uri, component);
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("brick: endpoints only consume (they are brick servers); use"
                + " gluster:" + volume + " to write to the volume");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        BrickConsumer c = new BrickConsumer(this, processor);
        configureConsumer(c);
        return c;
    }

    VolumeSpec spec() {
        return VolumeLookup.require(getCamelContext(), volume, getEndpointUri());
    }

    public String getVolume() {
        return volume;
    }

    public void setVolume(String volume) {
        this.volume = volume;
    }

    public String getDirectory() {
        return directory;
    }

    public void setDirectory(String directory) {
        this.directory = directory;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public String getBindHost() {
        return bindHost;
    }

    public void setBindHost(String bindHost) {
        this.bindHost = bindHost;
    }

    public boolean isCreateDirectory() {
        return createDirectory;
    }

    public void setCreateDirectory(boolean createDirectory) {
        this.createDirectory = createDirectory;
    }

    public int getThreads() {
        return threads;
    }

    public void setThreads(int threads) {
        this.threads = threads;
    }

    public String getCpuLatency() {
        return cpuLatency;
    }

    public void setCpuLatency(String cpuLatency) {
        this.cpuLatency = cpuLatency;
    }
}
