package io.camelfs.exporters.jmx;

import io.camelfs.exporters.ExporterStartException;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jolokia.jvmagent.JolokiaServer;
import org.jolokia.jvmagent.JolokiaServerConfig;

/**
 * The Jolokia 2 JVM agent, started inside the node: JMX over HTTP at {@code http://HOST:PORT/jolokia/}, with
 * camelfs's policy (read everything, exec only the heal operations) unless another policy file is given.
 */
public final class JolokiaAgent implements AutoCloseable {
    /** The policy shipped in the jar. */
    public static final String DEFAULT_POLICY = "classpath:/io/camelfs/exporters/jmx/jolokia-access.xml";

    private final JolokiaServer server;

    private JolokiaAgent(JolokiaServer server) {
        this.server = server;
    }

    /**
     * @param policyFile null for the shipped policy
     * @param user       null for no authentication
     */
    public static JolokiaAgent start(String host, int port, Path policyFile, String user, String password) {
        Map<String, String> config = new HashMap<>();
        config.put("host", host);
        config.put("port", Integer.toString(port));
        config.put("agentContext", "/jolokia");
        config.put("discoveryEnabled", "false");
        config.put("executor", "fixed");
        config.put("threadNr", "2");
        config.put("threadNamePrefix", "camelfs-jolokia-");
        if (policyFile != null) {
            if (!Files.isReadable(policyFile)) {
                throw new ExporterStartException("jolokia policy file " + policyFile + " does not exist or cannot be"
                        + " read");
            }
            config.put("policyLocation", policyFile.toUri().toString());
        } else {
            config.put("policyLocation", DEFAULT_POLICY);
        }
        if (user != null && !user.isEmpty()) {
            if (password == null || password.isEmpty()) {
                throw new ExporterStartException("jolokia user " + user + " needs a password");
            }
            config.put("user", user);
            config.put("password", password);
        }
        try {
            JolokiaServer s = new JolokiaServer(new JolokiaServerConfig(config));
            s.start();
            return new JolokiaAgent(s);
        } catch (IOException | RuntimeException e) {
            if (isBind(e)) {
                throw new ExporterStartException("jolokia port " + port + " on " + host + " is already in use");
            }
            throw new ExporterStartException("jolokia cannot start on " + host + ":" + port + ": " + e.getMessage(),
                    e);
        }
    }

    private static boolean isBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    public String url() {
        return server.getUrl();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop();
    }
}
