package io.camelfs.camel.gluster;

import io.camelfs.afr.Replicas;
import io.camelfs.brick.LocalBricks;
import io.camelfs.fop.FopException;
import io.camelfs.protocol.Wire;
import io.camelfs.protocol.v1.Event;
import io.camelfs.protocol.v1.Events;
import io.camelfs.protocol.v1.FopReply;
import io.camelfs.protocol.v1.FopRequest;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.ScheduledPollConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange per change committed on the volume by any client, read from one brick's event journal (the node's
 * own brick when it has one): in the order that brick applied them, so per file in commit order. At least once:
 * the position is saved after each exchange is processed, and an exchange that fails is offered again. When the
 * brick is down the consumer reads another's journal from a little before the last delivered event's time (the
 * client's clock, the same on every brick), so a change may come twice but none is skipped.
 */
final class GlusterConsumer extends ScheduledPollConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(GlusterConsumer.class);
    /** How far back in time a failover re-reads: more than any clock step between two bricks' orders. */
    private static final long FAILOVER_WINDOW_NANOS = 5_000_000_000L;

    private final GlusterEndpoint endpoint;
    private final Set<String> types;
    private final PathMatcher include;
    private final Path positionFile;
    private EventPosition position;
    private int brick = -1;
    private String failing = "";
    private int failures;
    private long nextTry;

    GlusterConsumer(GlusterEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.types = endpoint.eventTypes();
        this.include = endpoint.getInclude() == null ? null
                : FileSystems.getDefault().getPathMatcher("glob:" + endpoint.getInclude());
        this.positionFile = Path.of(endpoint.getPositionFile() != null ? endpoint.getPositionFile()
                : ".camelfs-events/" + endpoint.getVolume() + "-" + Integer.toHexString(endpoint.getEndpointUri()
                        .hashCode()) + ".position");
        setDelay(endpoint.getPollDelay());
        setInitialDelay(0);
    }

    @Override
    protected void doStart() throws Exception {
        position = EventPosition.load(positionFile);
        super.doStart();
    }

    private Replicas replicas() {
        return endpoint.getComponent().volume(endpoint).client.replicas();
    }

    /** The brick read: the current one while it is up, else this node's own, else the first up. */
    private int chooseBrick(Replicas r) {
        if (brick >= 0 && r.isUp(brick)) {
            return brick;
        }
        int n = r.spec().replica();
        for (int b = 0; b < n; b++) {
            if (r.isUp(b) && LocalBricks.contains(r.spec().bricks().get(b)) && b != r.arbiter()) {
                return b;
            }
        }
        for (int b = 0; b < n; b++) {
            if (r.isUp(b)) {
                return b;
            }
        }
        return -1;
    }

    private FopReply read(Replicas r, int b, long after) {
        return r.call(b, FopRequest.newBuilder().setEvents(Events.newBuilder().setAfter(after)
                .setMax(endpoint.getMaxEventsPerPoll())), Replicas.held(List.of()), false);
    }

    @Override
    protected int poll() throws Exception {
        if (System.currentTimeMillis() < nextTry) {
            return 0;
        }
        Replicas r;
        try {
            r = replicas();
        } catch (RuntimeException e) {
            return backOff("volume " + endpoint.getVolume() + " unreachable: " + e.getMessage());
        }
        int b = chooseBrick(r);
        if (b < 0) {
            return backOff("no brick of volume " + endpoint.getVolume() + " is up");
        }
        FopReply reply;
        try {
            reply = read(r, b, Math.max(position.seq(), 0));
            if (!reply.getText().equals(position.journal())) {
                reply = reposition(r, b, reply);
            }
        } catch (FopException e) {
            brick = -1;
            return backOff("reading events from brick " + r.address(b) + ": " + e.getMessage());
        }
        if (b != brick) {
            LOG.info("volume {}: events from brick {}", endpoint.getVolume(), r.address(b));
            brick = b;
        }
        failing = "";
        failures = 0;
        if (reply.getEventsLost()) {
            LOG.warn("volume {}: brick {} no longer holds every event after #{} (the consumer fell more than the"
                    + " journal's length behind)", endpoint.getVolume(), r.address(b), position.seq());
        }
        int delivered = 0;
        for (Event e : reply.getEventsList()) {
            if (!isRunAllowed()) {
                break;
            }
            if (wanted(e)) {
                Exchange x = createExchange(true);
                fill(x.getIn(), e, r.address(b));
                try {
                    getProcessor().process(x);
                } catch (Exception ex) {
                    x.setException(ex);
                }
                if (x.getException() != null) {
                    getExceptionHandler().handleException("event #" + e.getSeq() + " " + e.getType() + " /"
                            + e.getPath() + " not processed; offered again", x, x.getException());
                    releaseExchange(x, false);
                    return delivered; // the position stays before it: at least once
                }
                releaseExchange(x, false);
                delivered++;
            }
            position = new EventPosition(reply.getText(), e.getSeq(), nanos(e));
            position.save(positionFile);
        }
        if (reply.getEventsCount() == 0 && position.seq() < 0) {
            position = new EventPosition(reply.getText(), reply.getTotal(), position.timeNanos());
            position.save(positionFile);
        }
        return delivered;
    }

    /**
     * Another journal than the position's: the first start (begin at its end, history is not replayed), or a
     * failover (go back to a little before the last delivered event's time).
     */
    private FopReply reposition(Replicas r, int b, FopReply first) throws IOException {
        if (position.seq() < 0 || position.journal().isEmpty()) {
            position = new EventPosition(first.getText(), endpoint.isFromBeginning() ? 0 : first.getTotal(), 0);
            position.save(positionFile);
            LOG.info("volume {}: consuming events of brick {} from #{}", endpoint.getVolume(), r.address(b),
                    position.seq());
            return read(r, b, position.seq());
        }
        long since = position.timeNanos() - FAILOVER_WINDOW_NANOS;
        long after = 0;
        for (;;) {
            FopReply page = read(r, b, after);
            if (page.getEventsCount() == 0) {
                break;
            }
            Event firstNew = null;
            for (Event e : page.getEventsList()) {
                if (nanos(e) >= since) {
                    firstNew = e;
                    break;
                }
                after = e.getSeq();
            }
            if (firstNew != null) {
                break;
            }
        }
        LOG.info("volume {}: brick {} down or replaced; going on with brick {}'s events from #{} (events of the"
                + " last {} s may come again)", endpoint.getVolume(), brick < 0 ? "?" : r.address(brick),
                r.address(b), after, FAILOVER_WINDOW_NANOS / 1_000_000_000L);
        position = new EventPosition(first.getText(), after, position.timeNanos());
        position.save(positionFile);
        return read(r, b, after);
    }

    private boolean wanted(Event e) {
        if (!types.contains(e.getType())) {
            return false;
        }
        if (include == null) {
            return true;
        }
        return include.matches(Path.of(e.getPath())) || (!e.getTo().isEmpty() && include.matches(Path.of(
                e.getTo())));
    }

    private static long nanos(Event e) {
        return e.getTime().getSec() * 1_000_000_000L + e.getTime().getNsec();
    }

    private void fill(Message m, Event e, String brickAddress) {
        m.setHeader(GlusterConstants.FILE_NAME, e.getPath());
        m.setHeader(GlusterConstants.EVENT_TYPE, e.getType());
        m.setHeader(GlusterConstants.EVENT_TIME, nanos(e) / 1_000_000L);
        m.setHeader(GlusterConstants.EVENT_SEQ, e.getSeq());
        m.setHeader(GlusterConstants.EVENT_BRICK, brickAddress);
        m.setHeader(GlusterConstants.DIRECTORY, e.getDirectory());
        if (!e.getGfid().isEmpty()) {
            m.setHeader(GlusterConstants.GFID, Wire.gfid(e.getGfid()).toString());
        }
        if (!e.getType().equals("delete") && !e.getType().equals("rename")) {
            m.setHeader(GlusterConstants.FILE_LENGTH, e.getSize());
        }
        if (!e.getTo().isEmpty()) {
            m.setHeader(GlusterConstants.RENAME_TO, e.getTo());
        }
        m.setBody(e.getType() + " /" + e.getPath() + (e.getTo().isEmpty() ? "" : " -> /" + e.getTo()));
    }

    /** Failed polls in a row (0 once events can be read again). */
    int failures() {
        return failures;
    }

    /** The reason of the last failure, as logged. */
    String failing() {
        return failing;
    }

    /** Waits longer after each failure in a row (up to 30 s) and logs why, once per reason. */
    private int backOff(String why) {
        failures++;
        long wait = Math.min(30_000L, endpoint.getPollDelay() << Math.min(failures, 10));
        nextTry = System.currentTimeMillis() + wait;
        if (!why.equals(failing)) {
            LOG.warn("volume {}: {}; retrying with backoff (next in {} ms)", endpoint.getVolume(), why, wait);
            failing = why;
        }
        return 0;
    }
}
