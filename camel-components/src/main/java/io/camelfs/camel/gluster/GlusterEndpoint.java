package io.camelfs.camel.gluster;

import io.camelfs.volume.VolumeSpec;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
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
 * Write, read, list and manage files of a camelfs volume, replicated synchronously to all its bricks; as a consumer,
 * one exchange per change committed on the volume by any client.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "gluster", title = "camelfs Gluster Volume", syntax = "gluster:volume",
             category = {Category.FILE}, headersClass = GlusterConstants.class)
public class GlusterEndpoint extends DefaultEndpoint {
    @UriPath(description = "Name of the volume")
    @Metadata(required = true)
    private String volume;
    @UriParam(description = "Bricks (host:port, comma separated) to fetch the volume definition from when this node"
            + " does not declare the volume; the first that answers is used")
    private String servers;
    @UriParam(label = "producer", description = "The operation to perform", defaultValue = "write")
    private GlusterOperation operation = GlusterOperation.write;
    @UriParam(label = "producer", description = "Path in the volume when the CamelFileName header is not set; for"
            + " list, the directory to list")
    private String path;
    @UriParam(label = "producer", description = "Create missing parent directories when writing",
              defaultValue = "true")
    private boolean autoCreate = true;
    @UriParam(label = "producer", description = "Permission bits of files written, octal", defaultValue = "0644")
    private String fileMode = "0644";
    @UriParam(label = "producer", description = "Permission bits of directories created, octal",
              defaultValue = "0755")
    private String directoryMode = "0755";

    @UriParam(label = "producer", description = "For operation=heal: index (what the bricks' heal indices list) or"
            + " full (compare every file on every brick)", defaultValue = "index")
    private GlusterHealMode mode = GlusterHealMode.index;
    @UriParam(label = "producer", description = "For operation=heal: also run this node's self-heal daemon for the"
            + " volume, which heals at once when a brick reconnects", defaultValue = "true")
    private boolean selfHealDaemon = true;

    @UriParam(label = "consumer", description = "The changes to emit, comma separated: create, modify, delete,"
            + " rename, attrib", defaultValue = "create,modify,delete,rename")
    private String events = "create,modify,delete,rename";
    @UriParam(description = "Consumer: only changes to paths matching this glob (relative to the volume root, e.g."
            + " static/**). Producer, list: only entries whose path matches")
    private String include;
    @UriParam(label = "producer", description = "read: the body is an InputStream that reads the file chunk by"
            + " chunk as it is consumed, instead of a byte[] of the whole file; list: an Iterator of GlusterFile that"
            + " reads the directory page by page (for a split with streaming)", defaultValue = "false")
    private boolean streaming;
    @UriParam(label = "consumer", description = "File keeping the consumer's position, so a restarted node neither"
            + " loses nor repeats events (default .camelfs-events/VOLUME-HASH.position in the working directory)")
    private String positionFile;
    @UriParam(label = "consumer", description = "Milliseconds between polls of the brick's event journal",
              defaultValue = "200")
    private long pollDelay = 200;
    @UriParam(label = "consumer", description = "Events read per poll at most: the bound on what waits in memory",
              defaultValue = "500")
    private int maxEventsPerPoll = 500;
    @UriParam(label = "consumer", description = "On the very first start (no position yet), emit the events the"
            + " journal still holds instead of starting at its end", defaultValue = "false")
    private boolean fromBeginning;

    static final Set<String> EVENT_TYPES = Set.of("create", "modify", "delete", "rename",
            "attrib");

    public GlusterEndpoint(String uri, GlusterComponent component) {
        super(uri, component);
    }

    @Override
    public GlusterComponent getComponent() {
        return (GlusterComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new GlusterProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        GlusterConsumer c = new GlusterConsumer(this, processor);
        configureConsumer(c);
        return c;
    }

    /** The events option as a set; an unknown name fails at route start-up, named. */
    Set<String> eventTypes() {
        Set<String> out = new TreeSet<>();
        for (String t : events.split(",")) {
            String n = t.trim().toLowerCase(Locale.ROOT);
            if (!EVENT_TYPES.contains(n)) {
                throw new IllegalArgumentException(getEndpointUri() + ": events: unknown event '" + t.trim()
                        + "' (expected create, modify, delete, rename, attrib)");
            }
            out.add(n);
        }
        return out;
    }

    public String getEvents() {
        return events;
    }

    public void setEvents(String events) {
        this.events = events;
    }

    public boolean isStreaming() {
        return streaming;
    }

    public void setStreaming(boolean streaming) {
        this.streaming = streaming;
    }

    public String getInclude() {
        return include;
    }

    public void setInclude(String include) {
        this.include = include;
    }

    public String getPositionFile() {
        return positionFile;
    }

    public void setPositionFile(String positionFile) {
        this.positionFile = positionFile;
    }

    public long getPollDelay() {
        return pollDelay;
    }

    public void setPollDelay(long pollDelay) {
        this.pollDelay = pollDelay;
    }

    public int getMaxEventsPerPoll() {
        return maxEventsPerPoll;
    }

    public void setMaxEventsPerPoll(int maxEventsPerPoll) {
        this.maxEventsPerPoll = maxEventsPerPoll;
    }

    public boolean isFromBeginning() {
        return fromBeginning;
    }

    public void setFromBeginning(boolean fromBeginning) {
        this.fromBeginning = fromBeginning;
    }

    static int octal(String option, String value) {
        try {
            int m = Integer.parseInt(value.trim(), 8);
            if (m < 0 || m > 07777) {
                throw new NumberFormatException();
            }
            return m;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + value + "' is not an octal permission mode like 0644");
        }
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        VolumeSpec.checkName(volume);
        octal("fileMode", fileMode);
        octal("directoryMode", directoryMode);
        eventTypes();
        if (pollDelay < 1 || maxEventsPerPoll < 1) {
            throw new IllegalArgumentException(getEndpointUri() + ": pollDelay and maxEventsPerPoll must be at"
                    + " least 1");
        }
    }

    public GlusterHealMode getMode() {
        return mode;
    }

    public void setMode(GlusterHealMode mode) {
        this.mode = mode;
    }

    public boolean isSelfHealDaemon() {
        return selfHealDaemon;
    }

    public void setSelfHealDaemon(boolean selfHealDaemon) {
        this.selfHealDaemon = selfHealDaemon;
    }

    public String getVolume() {
        return volume;
    }

    public void setVolume(String volume) {
        this.volume = volume;
    }

    public String getServers() {
        return servers;
    }

    public void setServers(String servers) {
        this.servers = servers;
    }

    public GlusterOperation getOperation() {
        return operation;
    }

    public void setOperation(GlusterOperation operation) {
        this.operation = operation;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public boolean isAutoCreate() {
        return autoCreate;
    }

    public void setAutoCreate(boolean autoCreate) {
        this.autoCreate = autoCreate;
    }

    public String getFileMode() {
        return fileMode;
    }

    public void setFileMode(String fileMode) {
        this.fileMode = fileMode;
    }

    public String getDirectoryMode() {
        return directoryMode;
    }

    public void setDirectoryMode(String directoryMode) {
        this.directoryMode = directoryMode;
    }
}
