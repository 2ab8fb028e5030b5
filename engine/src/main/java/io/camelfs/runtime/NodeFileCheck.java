package io.camelfs.runtime;

import io.camelfs.posix.CpuLatencyRequest;
import io.camelfs.volume.InvalidVolumeException;
import io.camelfs.volume.VolumeDefinition;
import io.camelfs.volume.VolumeSpec;
import java.io.IOException;
import java.io.Reader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Reads a node's YAML files before Camel does, to report what camelfs owns -- YAML syntax, volume definitions,
 * brick and gluster endpoints -- as one line naming the file, the line and the field. Camel then checks the rest.
 */
public final class NodeFileCheck {
    private static final String VOLUME_TYPE = VolumeDefinition.class.getName();
    private static final Set<String> VOLUME_PROPERTIES = Set.of("name", "replica", "bricks", "arbiter", "options");
    private static final Map<String, String> BRICK_PARAMETERS = Map.of("directory", "text", "port", "port",
            "bindHost", "text", "createDirectory", "boolean", "threads", "number", "cpuLatency", "latency");
    private static final Set<String> GLUSTER_OPERATIONS = Set.of("write", "read", "delete", "list", "mkdir", "stat",
            "append", "rename", "setattr", "heal", "healInfo");

    /** A problem found in a node file, already formatted as "file:line: what is wrong". */
    public static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message);
        }
    }

    private final Map<String, VolumeSpec> volumes = new LinkedHashMap<>();
    private final List<Runnable> deferred = new ArrayList<>();

    /** Checks the files together (a brick in one file may use a volume declared in another). */
    public static Map<String, VolumeSpec> check(List<Path> files) {
        NodeFileCheck c = new NodeFileCheck();
        for (Path f : files) {
            c.checkFile(f);
        }
        c.deferred.forEach(Runnable::run);
        return c.volumes;
    }

    private void checkFile(Path file) {
        String label = file.toString();
        Node root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoadSettings settings = LoadSettings.builder().setLabel(label).build();
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, r)));
            root = composer.hasNext() ? composer.next() : null;
        } catch (NoSuchFileException e) {
            throw new Problem(label + ": no such file");
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new Problem(label + ":" + line + ": YAML syntax: " + oneLine(e.getProblem()));
        } catch (YamlEngineException e) {
            throw new Problem(label + ": YAML syntax: " + oneLine(e.getMessage()));
        } catch (IOException e) {
            throw new Problem(label + ": cannot read: " + e.getMessage());
        }
        if (root == null) {
            throw new Problem(label + ": empty file: expected a list of Camel YAML DSL elements (beans, route, ...)");
        }
        if (!(root instanceof SequenceNode seq)) {
            throw new Problem(at(label, root) + "expected a list of Camel YAML DSL elements (- beans:, - route:)");
        }
        for (Node item : seq.getValue()) {
            if (!(item instanceof MappingNode m)) {
                throw new Problem(at(label, item) + "expected an element such as beans: or route:");
            }
            for (NodeTuple t : m.getValue()) {
                String key = scalar(t.getKeyNode());
                if ("beans".equals(key)) {
                    beans(label, t.getValueNode());
                }
            }
            walkEndpoints(label, item);
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }

    private static String at(String label, Node n) {
        int line = n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        return label + ":" + line + ": ";
    }

    private static String scalar(Node n) {
        return n instanceof ScalarNode s ? s.getValue() : null;
    }

    private static Node get(MappingNode m, String key) {
        for (NodeTuple t : m.getValue()) {
            if (key.equals(scalar(t.getKeyNode()))) {
                return t.getValueNode();
            }
        }
        return null;
    }

    private void beans(String label, Node list) {
        if (!(list instanceof SequenceNode seq)) {
            return; // Camel also accepts other shapes; it reports those itself
        }
        for (Node b : seq.getValue()) {
            if (!(b instanceof MappingNode m)) {
                continue;
            }
            String type = scalar(get(m, "type"));
            if (type == null || !(type.equals(VOLUME_TYPE) || type.equals("#class:" + VOLUME_TYPE))) {
                continue;
            }
            volume(label, m);
        }
    }

    private void volume(String label, MappingNode bean) {
        String beanName = scalar(get(bean, "name"));
        if (beanName == null) {
            throw new Problem(at(label, bean) + "volume bean: name is required");
        }
        VolumeDefinition d = new VolumeDefinition();
        Node props = get(bean, "properties");
        if (props instanceof MappingNode pm) {
            for (NodeTuple t : pm.getValue()) {
                String key = scalar(t.getKeyNode());
                Node v = t.getValueNode();
                String where = at(label, t.getKeyNode()) + "volume " + beanName + ": ";
                if (!VOLUME_PROPERTIES.contains(key)) {
                    throw new Problem(where + "unknown property '" + key + "' (known: name, replica, bricks,"
                            + " arbiter, options)");
                }
                switch (key) {
                    case "name" -> d.setName(scalar(v));
                    case "replica" -> d.setReplica(number(where + "replica", v));
                    case "arbiter" -> d.setArbiter(number(where + "arbiter", v));
                    case "bricks" -> {
                        if (v instanceof SequenceNode s) {
                            List<String> bricks = new ArrayList<>();
                            s.getValue().forEach(n -> bricks.add(scalar(n)));
                            d.setBricks(bricks);
                        } else if (scalar(v) != null) {
                            d.setBricks(scalar(v));
                        } else {
                            throw new Problem(where + "bricks: expected host:port,host:port or a list");
                        }
                    }
                    case "options" -> {
                        if (!(v instanceof MappingNode om)) {
                            throw new Problem(where + "options: expected a map of option: value");
                        }
                        Map<String, String> opts = new LinkedHashMap<>();
                        for (NodeTuple o : om.getValue()) {
                            opts.put(scalar(o.getKeyNode()), scalar(o.getValueNode()));
                        }
                        d.setOptions(opts);
                    }
                    default -> {
                    }
                }
            }
        } else if (props != null) {
            throw new Problem(at(label, props) + "volume " + beanName + ": properties must be a map");
        }
        try {
            VolumeSpec spec = d.toSpec(beanName);
            if (volumes.containsKey(spec.name())) {
                throw new Problem(at(label, bean) + "volume " + spec.name() + " is declared twice");
            }
            volumes.put(spec.name(), spec);
        } catch (InvalidVolumeException e) {
            throw new Problem(at(label, bean) + e.getMessage());
        }
    }

    private static int number(String where, Node v) {
        try {
            return Integer.parseInt(scalar(v).trim());
        } catch (RuntimeException e) {
            throw new Problem(where + ": '" + scalar(v) + "' is not a number");
        }
    }

    /** Finds every endpoint URI in an element (from:, to:, and their parameters) and checks ours. */
    private void walkEndpoints(String label, Node n) {
        if (n instanceof MappingNode m) {
            Node uri = get(m, "uri");
            if (uri != null && scalar(uri) != null) {
                Node params = get(m, "parameters");
                endpoint(label, uri, scalar(uri), params instanceof MappingNode pm ? pm : null);
            }
            for (NodeTuple t : m.getValue()) {
                String key = scalar(t.getKeyNode());
                if (("to".equals(key) || "from".equals(key) || "toD".equals(key)) && scalar(t.getValueNode()) != null) {
                    endpoint(label, t.getValueNode(), scalar(t.getValueNode()), null);
                }
                walkEndpoints(label, t.getValueNode());
            }
        } else if (n instanceof SequenceNode s) {
            s.getValue().forEach(x -> walkEndpoints(label, x));
        }
    }

    private void endpoint(String label, Node at, String uri, MappingNode params) {
        boolean brick = uri.startsWith("brick:");
        boolean gluster = uri.startsWith("gluster:");
        if (!brick && !gluster) {
            return;
        }
        String where = at(label, at) + uri + ": ";
        int q = uri.indexOf('?');
        String volume = uri.substring(uri.indexOf(':') + 1, q < 0 ? uri.length() : q);
        Map<String, String> p = new LinkedHashMap<>();
        if (q >= 0) {
            for (String kv : uri.substring(q + 1).split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    p.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        if (params != null) {
            for (NodeTuple t : params.getValue()) {
                p.put(scalar(t.getKeyNode()), scalar(t.getValueNode()));
            }
        }
        try {
            VolumeSpec.checkName(volume);
        } catch (InvalidVolumeException e) {
            throw new Problem(where + e.getMessage());
        }
        if (brick) {
            for (Map.Entry<String, String> e : p.entrySet()) {
                String kind = BRICK_PARAMETERS.get(e.getKey());
                if (kind == null) {
                    throw new Problem(where + "unknown parameter '" + e.getKey() + "' (known: "
                            + String.join(", ", new TreeSet<>(BRICK_PARAMETERS.keySet())) + ")");
                }
                value(where + "parameter " + e.getKey(), kind, e.getValue());
            }
            for (String required : new String[] {"directory", "port"}) {
                if (!p.containsKey(required)) {
                    throw new Problem(where + "parameter " + required + " is required");
                }
            }
            deferred.add(() -> {
                if (!volumes.containsKey(volume)) {
                    throw new Problem(where + "volume '" + volume + "' is not declared in these files (add a beans:"
                            + " entry of type " + VOLUME_TYPE + ")");
                }
            });
        } else {
            String op = p.get("operation");
            if (op != null && !op.contains("{{") && !GLUSTER_OPERATIONS.contains(op)) {
                throw new Problem(where + "parameter operation: '" + op + "' is not one of "
                        + String.join(", ", new TreeSet<>(GLUSTER_OPERATIONS)));
            }
        }
    }

    private static void value(String where, String kind, String v) {
        if (v == null || v.contains("{{")) {
            return; // property placeholders are resolved by Camel
        }
        switch (kind) {
            case "port" -> {
                int port;
                try {
                    port = Integer.parseInt(v.trim());
                } catch (NumberFormatException e) {
                    throw new Problem(where + ": '" + v + "' is not a port number");
                }
                if (port < 1 || port > 65535) {
                    throw new Problem(where + ": " + port + " is outside 1..65535");
                }
            }
            case "number" -> {
                try {
                    Integer.parseInt(v.trim());
                } catch (NumberFormatException e) {
                    throw new Problem(where + ": '" + v + "' is not a number");
                }
            }
            case "latency" -> {
                try {
                    CpuLatencyRequest.parseMicros(v.trim());
                } catch (IllegalArgumentException e) {
                    throw new Problem(where + ": " + e.getMessage());
                }
            }
            case "boolean" -> {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw new Problem(where + ": '" + v + "' is not true or false");
                }
            }
            default -> {
                if (v.isBlank()) {
                    throw new Problem(where + ": must not be empty");
                }
            }
        }
    }
}
