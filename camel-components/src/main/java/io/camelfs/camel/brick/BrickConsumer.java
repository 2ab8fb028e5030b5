package io.camelfs.camel.brick;

import io.camelfs.brick.BrickServer;
import io.camelfs.brick.BrickStartException;
import io.camelfs.posix.CpuLatencyRequest;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

/** Runs the brick server for as long as the route runs. */
public class BrickConsumer extends DefaultConsumer implements BrickServer.Listener {
    private BrickServer server;
    private ExecutorService events;

    public BrickConsumer(BrickEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public BrickEndpoint getEndpoint() {
        return (BrickEndpoint) super.getEndpoint();
    }

    public BrickServer server() {
        return server;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        BrickEndpoint e = getEndpoint();
        if (e.getDirectory() == null || e.getDirectory().isBlank()) {
            throw new BrickStartException(e.getEndpointUri() + ": the directory option is required");
        }
        if (e.getPort() <= 0) {
            throw new BrickStartException(e.getEndpointUri() + ": the port option is required");
        }
        Integer cpuLatency;
        try {
            cpuLatency = CpuLatencyRequest.parseMicros(e.getCpuLatency());
        } catch (IllegalArgumentException ex) {
            throw new BrickStartException(e.getEndpointUri() + ": cpuLatency " + ex.getMessage());
        }
        // lifecycle events go through the route on their own thread, never on a thread serving file operations
        events = e.getCamelContext().getExecutorServiceManager().newSingleThreadExecutor(this, "brick-events");
        server = BrickServer.start(new BrickServer.Config(e.spec(), Path.of(e.getDirectory()), e.getBindHost(),
                e.getPort(), e.isCreateDirectory(), e.getThreads(), cpuLatency), this);
    }

    @Override
    protected void doStop() throws Exception {
        if (server != null) {
            server.close();
            server = null;
        }
        if (events != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(events);
            events = null;
        }
        super.doStop();
    }

    private void emit(BrickServer b, String event, String client) {
        ExecutorService ex = events;
        if (ex == null || ex.isShutdown()) {
            return;
        }
        ex.submit(() -> {
            Exchange x = createExchange(true);
            x.getIn().setHeader(BrickConstants.EVENT, event);
            x.getIn().setHeader(BrickConstants.BRICK, b.address().toString());
            x.getIn().setHeader(BrickConstants.VOLUME, b.volume().name());
            if (client != null) {
                x.getIn().setHeader(BrickConstants.CLIENT, client);
            }
            x.getIn().setBody("brick " + b.address() + " of volume " + b.volume().name() + " " + event
                    + (client != null ? " " + client : "") + " (" + b.directory() + ")");
            try {
                getProcessor().process(x);
            } catch (Exception err) {
                x.setException(err);
            }
            if (x.getException() != null) {
                getExceptionHandler().handleException("brick event " + event, x, x.getException());
            }
            releaseExchange(x, false);
        });
    }

    @Override
    public void started(BrickServer b) {
        emit(b, "started", null);
    }

    @Override
    public void stopped(BrickServer b) {
        emit(b, "stopped", null);
    }

    @Override
    public void clientConnected(BrickServer b, String client) {
        emit(b, "clientConnected", client);
    }

    @Override
    public void clientDisconnected(BrickServer b, String client) {
        emit(b, "clientDisconnected", client);
    }
}
