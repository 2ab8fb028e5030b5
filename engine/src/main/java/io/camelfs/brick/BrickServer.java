package io.camelfs.brick;

import io.camelfs.posix.CpuLatencyRequest;
import io.camelfs.protocol.Duplex;
import io.camelfs.protocol.SocketDuplex;
import io.camelfs.protocol.UnixDuplex;
import io.camelfs.stats.OpStats;
import io.camelfs.tls.TlsFiles;
import io.camelfs.tls.TlsSetupException;
import io.camelfs.volume.BrickAddress;
import io.camelfs.volume.VolumeSpec;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running brick: a brick directory served over TCP with the brick protocol. Start refuses, with a one-line
 * reason, a directory that is missing, unwritable, without xattr support or owned by another volume, a port that is
 * taken, and an address that is not one of the volume's bricks.
 */
public final class BrickServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrickServer.class);

    /**
     * How to start a brick. bindHost null means the host named in the volume's brick list.
     *
     * @param cpuLatencyMicros wake-up latency asked of idle CPUs while operations flow (see
     *     {@link CpuLatencyRequest}); null asks for nothing
     */
    public record Config(VolumeSpec volume, Path directory, String bindHost, int port, boolean createDirectory,
            int threads, Integer cpuLatencyMicros) {
        /** A brick that leaves the CPUs' idle states alone. */
        public Config(VolumeSpec volume, Path directory, String bindHost, int port, boolean createDirectory,
                int threads) {
            this(volume, directory, bindHost, port, createDirectory, threads, null);
        }
    }

    /** What a brick tells the world about itself (the brick: Camel consumer turns these into exchanges). */
    public interface Listener {
        default void started(BrickServer brick) {
        }

        default void stopped(BrickServer brick) {
        }

        default void clientConnected(BrickServer brick, String client) {
        }

        default void clientDisconnected(BrickServer brick, String client) {
        }

        /** One operation served: its name, time taken, errno (0 = ok) and request/reply sizes. */
        default void operation(BrickServer brick, String op, long nanos, int errno, long bytesIn, long bytesOut) {
        }
    }

    private final VolumeSpec volume;
    private final int index;
    private final BrickAddress address;
    private final String epoch = UUID.randomUUID().toString();
    private final BrickRoot root;
    private final PosixStore store;
    private final Sessions sessions = new Sessions();
    private final LeaseTable leases;
    private final LockTable locks = new LockTable();
    private final Listener listener;
    private final OpStats served = new OpStats();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final BrickService service;
    private final EventJournal events;
    private final ScheduledExecutorService sweeper;
    private final ServerSocket server;
    /** Blocked in accept until close; the port is free again only once it has left (see close). */
    private final Thread acceptor;
    /** For clients on this host; null with TLS, with local-socket off, or where none could be made. */
    private final LocalSocket local;
    private final Set<BrickConnection> connections = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private final int maxConnections;
    private final TlsPolicy tls;
    private final ConnectionLimits limits;
    private final ClientWarnings warnings = new ClientWarnings(LOG);
    private final AtomicInteger connectionNumber = new AtomicInteger();
    private final CpuLatencyRequest latency;
    private volatile boolean closing;

    private BrickServer(Config c, Listener listener, int index, BrickRoot root) throws IOException {
        this.volume = c.volume();
        this.index = index;
        this.address = volume.bricks().get(index);
        this.root = root;
        this.listener = listener;
        this.store = new PosixStore(root, volume.arbiter() == 1 && index == volume.replica() - 1);
        long grace = volume.options().sessionGrace().toMillis();
        BrickService[] svc = new BrickService[1];
        this.leases = new LeaseTable((s, k) -> svc[0].recall(s, k), Math.max(grace, 2000),
                volume.options().leaseTimeout().toMillis());
        this.tls = tlsPolicy(volume); // before anything is started: unusable TLS files stop the brick here
        this.events = new EventJournal(root.directory().resolve(BrickRoot.META));
        this.service = new BrickService(this, store, leases, locks, sessions,
                new HealStatistics(root.directory().resolve(BrickRoot.META)), events, volume.options().syncWrites());
        svc[0] = service;
        this.maxConnections = volume.options().maxConnections();
        this.limits = ConnectionLimits.of(volume.options());
        String host = c.bindHost() != null ? c.bindHost() : address.host();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(daemon("brick-sweep-" + address.port()));
        this.server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(host, c.port()), 256);
        } catch (IOException e) {
            server.close();
            sweeper.shutdownNow();
            if (isAddressInUse(e)) {
                throw new BrickStartException("port " + c.port() + " on " + host + " is already in use (brick "
                        + address + " of volume " + volume.name() + ")");
            }
            throw new BrickStartException("brick " + address + " cannot listen on " + host + ":" + c.port() + ": "
                    + e.getMessage());
        }
        this.latency = CpuLatencyRequest.whileBusy(c.cpuLatencyMicros(), "brick " + address);
        // TLS authenticates clients by certificate, which a Unix socket does not carry: TCP only then
        this.local = tls == null && volume.options().localSocket()
                ? LocalSocket.open(c.port(), epoch, this::serveLocal) : null;
        this.acceptor = new Thread(this::accept, "brick-" + address.port() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        sweeper.scheduleWithFixedDelay(() -> sweep(grace), 1, 1, TimeUnit.SECONDS);
    }

    /** With the volume's tls option: what connections must show; null for plain TCP. */
    private TlsPolicy tlsPolicy(VolumeSpec v) {
        TlsFiles files = v.options().tlsFiles();
        if (files == null) {
            return null;
        }
        try {
            return new TlsPolicy(files.context(), v.options().sslAllow(), v.options().brickTimeout(),
                    address + " of volume " + v.name());
        } catch (TlsSetupException e) {
            throw new BrickStartException("brick " + address + " of volume " + v.name() + ": " + e.getMessage());
        }
    }

    private static boolean isAddressInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || (t.getMessage() != null && t.getMessage().contains("in use"))) {
                return true;
            }
        }
        return false;
    }

    public static BrickServer start(Config c, Listener listener) {
        int index = indexOf(c.volume(), c.bindHost(), c.port());
        BrickRoot root = BrickRoot.open(c.directory(), c.volume().name(), c.createDirectory());
        try {
            BrickServer b = new BrickServer(c, listener == null ? new Listener() { } : listener, index, root);
            LocalBricks.register(b);
            LOG.info("brick {} of volume {} serving {} (brick {} of {})", b.address, c.volume().name(),
                    root.directory(), index, c.volume().replica());
            b.listener.started(b);
            return b;
        } catch (IOException | RuntimeException e) {
            root.close();
            if (e instanceof BrickStartException bse) {
                throw bse;
            }
            throw new BrickStartException("brick on port " + c.port() + " cannot start: " + e.getMessage(), e);
        }
    }

    /** Which of the volume's bricks this is: the one with this port on a local address. */
    static int indexOf(VolumeSpec v, String bindHost, int port) {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < v.bricks().size(); i++) {
            if (v.bricks().get(i).port() == port) {
                candidates.add(i);
            }
        }
        if (candidates.size() > 1) {
            candidates.removeIf(i -> !isLocal(v.bricks().get(i).host(), bindHost));
        }
        if (candidates.size() != 1) {
            throw new BrickStartException("port " + port + " is not one of volume " + v.name() + "'s bricks "
                    + v.bricks() + " on this host");
        }
        return candidates.get(0);
    }

    private static boolean isLocal(String host, String bindHost) {
        if (host.equals(bindHost)) {
            return true;
        }
        try {
            InetAddress a = InetAddress.getByName(host);
            return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    /** One thread per client connection: operations on a connection are served in order by its thread. */
    private void accept() {
        while (!closing) {
            Socket sock;
            try {
                sock = server.accept();
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("brick {}: accept failed: {}", address, e.toString());
                }
                continue;
            }
            SocketDuplex d = new SocketDuplex(sock);
            try {
                sock.setTcpNoDelay(true);
            } catch (SocketException e) {
                LOG.debug("brick {}: connection setup failed: {}", address, e.toString());
                d.close();
                continue;
            }
            InetAddress client = sock.getInetAddress();
            serve(d, sock, client, volume.options().refusal(client));
        }
    }

    /**
     * A connection to the local socket: from this host, and from the brick's own user (see {@link LocalSocket}), so
     * the address lists do not apply; the connection limits do, counted as the loopback address's.
     */
    private void serveLocal(SocketChannel channel) {
        UnixDuplex d;
        try {
            d = UnixDuplex.accepted(channel, "local socket");
        } catch (IOException e) {
            LOG.debug("brick {}: local connection setup failed: {}", address, e.toString());
            return;
        }
        serve(d, null, InetAddress.getLoopbackAddress(), null);
    }

    /**
     * Closes d unserved when max-connections are open; else counts the client's connections (one too many is refused
     * with the reason) and serves d on its own thread.
     */
    private void serve(Duplex d, Socket tcp, InetAddress client, String refusedByAddress) {
        if (connections.size() >= maxConnections) {
            warnings.warn("brick {}: refusing connection from {}: {} connections open", address, d.peer(),
                    connections.size());
            d.close();
            return;
        }
        String refused = refusedByAddress;
        int fromClient = perClient.merge(client, 1, Integer::sum);
        if (refused == null && fromClient > volume.options().maxConnectionsPerClient()) {
            refused = "client " + client.getHostAddress() + " already has " + (fromClient - 1) + " connections"
                    + " (max-connections-per-client " + volume.options().maxConnectionsPerClient() + ")";
        }
        if (refused != null) {
            warnings.warn("brick {} of volume {}: {}", address, volume.name(), refused);
            refused = "brick " + address + " of volume " + volume.name() + ": " + refused;
        }
        BrickConnection[] self = new BrickConnection[1];
        self[0] = new BrickConnection(d, tcp, service, () -> {
            connections.remove(self[0]);
            closed(client);
        }, refused, tls, limits, warnings);
        connections.add(self[0]);
        Thread t = new Thread(self[0], "brick-" + address.port() + "-conn-" + connectionNumber.incrementAndGet());
        t.setDaemon(true);
        t.start();
    }

    /** One connection of this client ended (or never started serving). */
    private void closed(InetAddress client) {
        perClient.computeIfPresent(client, (k, n) -> n > 1 ? n - 1 : null);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private void sweep(long grace) {
        try {
            for (var id : sessions.idle(grace)) {
                sessions.expire(id, this::sessionEnded);
            }
            leases.sweep();
        } catch (RuntimeException e) {
            LOG.warn("brick {} session sweep failed", address, e);
        }
    }

    /** A session ended: unsettled operations become dirty marks; its leases and locks go. */
    void sessionEnded(Sessions.Session s) {
        for (var e : s.outstanding.entrySet()) {
            for (Targets.Target t : e.getValue()) {
                try {
                    store.recordDirty(t.path(), t.kinds());
                } catch (RuntimeException ex) {
                    LOG.warn("brick {}: cannot mark {} dirty: {}", address, t.path(), ex.toString());
                }
            }
        }
        if (!s.outstanding.isEmpty()) {
            LOG.info("brick {}: client {} vanished with {} unsettled operations; marked dirty for heal", address,
                    s.client, s.outstanding.size());
        }
        s.outstanding.clear();
        leases.releaseSession(s.id);
        locks.releaseSession(s.id);
    }

    public VolumeSpec volume() {
        return volume;
    }

    public int index() {
        return index;
    }

    public BrickAddress address() {
        return address;
    }

    public String epoch() {
        return epoch;
    }

    /** The path of the Unix socket clients on this host may use instead of TCP; empty if there is none. */
    String localSocket() {
        return local == null ? "" : local.path().toString();
    }

    public Path directory() {
        return root.directory();
    }

    public PendingIndex pendingIndex() {
        return root.index();
    }

    public PosixStore store() {
        return store;
    }

    /** Every operation this brick served since it started: counts, failures, latency histograms. */
    public OpStats operations() {
        return served;
    }

    /** File data this brick read for clients and wrote for them (reads, writes, whole-file puts). */
    void countData(long read, long written) {
        if (read > 0) {
            bytesRead.add(read);
        }
        if (written > 0) {
            bytesWritten.add(written);
        }
    }

    public long bytesRead() {
        return bytesRead.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    public int connectedClients() {
        return sessions.connected();
    }

    public int port() {
        return server.getLocalPort();
    }

    Listener listener() {
        return listener;
    }

    /** Count and time of one served operation, kept for the log and passed on to the listener. */
    void served(String op, long nanos, int errno, long in, long out) {
        latency.busy();
        served.record(op, nanos, errno != 0);
        listener.operation(this, op, nanos, errno, in, out);
    }

    @Override
    public void close() {
        closing = true;
        LocalBricks.unregister(this);
        sweeper.shutdownNow();
        try {
            server.close();
            // a thread inside accept() keeps the listening socket alive in the kernel until the JDK's signal gets
            // it out: until then the port is taken, and a brick started again on it at once would be refused
            acceptor.join(2000);
        } catch (IOException ignored) {
            // no longer accepting either way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (local != null) {
            local.close();
        }
        for (BrickConnection c : connections) {
            c.close();
        }
        long end = System.currentTimeMillis() + 2000;
        while (!connections.isEmpty() && System.currentTimeMillis() < end) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        events.close();
        root.close();
        latency.close();
        LOG.info("brick {} of volume {} stopped; operations served:\n{}", address, volume.name(), served);
        listener.stopped(this);
    }
}
