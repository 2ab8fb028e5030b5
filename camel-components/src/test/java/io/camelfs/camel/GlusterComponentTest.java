package io.camelfs.camel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.camel.gluster.GlusterFile;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.volume.VolumeDefinition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both components in one context, as in the quickstart: two brick: routes and the gluster: producer. */
class GlusterComponentTest {
    @TempDir
    Path tmp;
    private CamelContext context;
    private ProducerTemplate template;
    private final List<String> brickEvents = new CopyOnWriteArrayList<>();

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeEach
    void start() throws Exception {
        int p1 = freePort();
        int p2 = freePort();
        VolumeDefinition v = new VolumeDefinition();
        v.setReplica(2);
        v.setBricks("127.0.0.1:" + p1 + ",127.0.0.1:" + p2);
        context = new DefaultCamelContext();
        context.getRegistry().bind("vol", v);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("brick:vol?createDirectory=true&port=" + p1 + "&directory=" + tmp.resolve("b1"))
                        .process(x -> brickEvents.add(x.getIn().getHeader("CamelGlusterBrickEvent", String.class)));
                from("brick:vol?createDirectory=true&port=" + p2 + "&directory=" + tmp.resolve("b2"))
                        .process(x -> brickEvents.add(x.getIn().getHeader("CamelGlusterBrickEvent", String.class)));
            }
        });
        context.start();
        template = context.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    private Exchange send(String op, String path, Object body) {
        return template.send("gluster:vol?operation=" + op, x -> {
            if (path != null) {
                x.getIn().setHeader(Exchange.FILE_NAME, path);
            }
            x.getIn().setBody(body);
        });
    }

    private Exchange ok(Exchange x) {
        if (x.getException() != null) {
            throw new AssertionError("exchange failed", x.getException());
        }
        return x;
    }

    @Test
    void everyOperation() throws Exception {
        ok(send("write", "site/a/index.html", "<h1>hello</h1>"));
        ok(send("write", "site/b.bin", new byte[] {1, 2, 3}));
        ok(send("write", "site/c.txt", new ByteArrayInputStream("stream".getBytes(StandardCharsets.UTF_8))));
        Path local = Files.writeString(tmp.resolve("local.txt"), "from a file");
        Exchange w = ok(send("write", "site/d.txt", local.toFile()));
        assertNotNull(w.getMessage().getHeader("CamelGlusterGfid"));
        assertEquals(11L, w.getMessage().getHeader(Exchange.FILE_LENGTH));
        for (String b : new String[] {"b1", "b2"}) {
            assertEquals("<h1>hello</h1>", Files.readString(tmp.resolve(b).resolve("site/a/index.html")));
            assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(tmp.resolve(b).resolve("site/b.bin")));
            assertEquals("stream", Files.readString(tmp.resolve(b).resolve("site/c.txt")));
            assertEquals("from a file", Files.readString(tmp.resolve(b).resolve("site/d.txt")));
        }
        Exchange r = ok(send("read", "site/a/index.html", null));
        assertEquals("<h1>hello</h1>", r.getMessage().getBody(String.class));
        assertEquals(14L, r.getMessage().getHeader(Exchange.FILE_LENGTH));

        @SuppressWarnings("unchecked")
        List<GlusterFile> list = ok(send("list", "site", null)).getMessage().getBody(List.class);
        assertEquals(Set.of("a", "b.bin", "c.txt", "d.txt"), list.stream().map(GlusterFile::name)
                .collect(Collectors.toSet()));
        assertTrue(list.stream().filter(f -> f.name().equals("a")).findFirst().get().isDirectory());

        ok(send("mkdir", "deep/er/dir", null));
        assertTrue(Files.isDirectory(tmp.resolve("b2/deep/er/dir")));
        GlusterFile st = ok(send("stat", "site/b.bin", null)).getMessage().getBody(GlusterFile.class);
        assertEquals(3, st.size());
        assertEquals(0644, st.mode());

        ok(send("delete", "site/b.bin", null));
        ok(send("delete", "deep/er/dir", null));
        assertTrue(!Files.exists(tmp.resolve("b1/site/b.bin")) && !Files.exists(tmp.resolve("b2/deep/er/dir")));

        Exchange missing = send("read", "site/nope", null);
        FopException e = assertInstanceOf(FopException.class, missing.getException());
        assertEquals(Errno.ENOENT, e.errno());

        Exchange escape = send("write", "../outside.txt", "x");
        assertEquals(Errno.EINVAL, assertInstanceOf(FopException.class, escape.getException()).errno());
        assertTrue(!Files.exists(tmp.resolve("outside.txt")));
        assertTrue(brickEvents.contains("started") && brickEvents.contains("clientConnected"), brickEvents.toString());
    }

    @Test
    void setattrGlobListingAndStreaming() throws Exception {
        ok(send("write", "docs/a.md", "# a"));
        ok(send("write", "docs/b.txt", "b"));
        ok(send("write", "docs/c.md", "# c"));
        Exchange st = ok(template.send("gluster:vol?operation=setattr", x -> {
            x.getIn().setHeader(Exchange.FILE_NAME, "docs/a.md");
            x.getIn().setHeader("CamelGlusterMode", "0600");
            x.getIn().setHeader("CamelGlusterOwner", "1234:5678");
            x.getIn().setHeader(Exchange.FILE_LAST_MODIFIED, 1_700_000_000_123L);
        }));
        assertEquals(1_700_000_000_123L, st.getMessage().getHeader(Exchange.FILE_LAST_MODIFIED));
        for (String b : new String[] {"b1", "b2"}) {
            Path f = tmp.resolve(b).resolve("docs/a.md");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(f)));
            assertEquals(1234, Files.getAttribute(f, "unix:uid"));
            assertEquals(5678, Files.getAttribute(f, "unix:gid"));
            assertEquals(1_700_000_000_123L, Files.getLastModifiedTime(f).toMillis());
        }
        Exchange none = template.send("gluster:vol?operation=setattr", x -> x.getIn().setHeader(Exchange.FILE_NAME,
                "docs/a.md"));
        assertInstanceOf(IllegalArgumentException.class, none.getException());

        Exchange md = ok(template.send("gluster:vol?operation=list&path=docs&include=docs/*.md", x -> { }));
        assertEquals(List.of("/docs/a.md", "/docs/c.md"), ((List<?>) md.getMessage().getBody()).stream()
                .map(f -> ((GlusterFile) f).path()).sorted().toList());
        Exchange it = ok(template.send("gluster:vol?operation=list&path=docs&streaming=true", x -> { }));
        java.util.Iterator<?> entries = (java.util.Iterator<?>) it.getMessage().getBody();
        Set<String> all = new java.util.TreeSet<>();
        entries.forEachRemaining(f -> all.add(((GlusterFile) f).path()));
        assertEquals(Set.of("/docs/a.md", "/docs/b.txt", "/docs/c.md"), all);

        byte[] big = new byte[3 * (1 << 20) + 17];
        new java.util.Random(5).nextBytes(big);
        ok(send("write", "big.bin", big));
        Exchange rs = ok(template.send("gluster:vol?operation=read&streaming=true", x -> x.getIn().setHeader(
                Exchange.FILE_NAME, "big.bin")));
        assertInstanceOf(java.io.InputStream.class, rs.getMessage().getBody());
        try (java.io.InputStream in = rs.getMessage().getBody(java.io.InputStream.class)) {
            assertArrayEquals(big, in.readAllBytes());
        }
    }

    @Test
    void headerOverridesAndModes() {
        ok(template.send("gluster:vol?fileMode=0600", x -> {
            x.getIn().setHeader(Exchange.FILE_NAME, "secret.txt");
            x.getIn().setBody("s");
        }));
        GlusterFile st = ok(template.send("gluster:vol", x -> {
            x.getIn().setHeader(Exchange.FILE_NAME, "secret.txt");
            x.getIn().setHeader("CamelGlusterOperation", "stat");
        })).getMessage().getBody(GlusterFile.class);
        assertEquals(0600, st.mode());
    }

    @Test
    void unknownOperationOrOptionIsRefusedWhenTheEndpointIsCreated() {
        Exception op = assertThrows(Exception.class, () -> context.getEndpoint("gluster:vol?operation=explode"));
        assertTrue(rootMessage(op).contains("explode"), rootMessage(op));
        Exception opt = assertThrows(Exception.class, () -> context.getEndpoint("gluster:vol?colour=blue"));
        assertTrue(rootMessage(opt).contains("colour"), rootMessage(opt));
        Exception mode = assertThrows(Exception.class, () -> context.getEndpoint("gluster:vol?fileMode=rw")
                .createProducer().start());
        assertTrue(rootMessage(mode).contains("fileMode"), rootMessage(mode));
    }

    @Test
    void undeclaredVolumeWithoutServersFailsAtStartUp() {
        Exception e = assertThrows(Exception.class, () -> context.getEndpoint("gluster:other").createProducer()
                .start());
        assertTrue(rootMessage(e).contains("volume 'other' is not declared"), rootMessage(e));
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        StringBuilder sb = new StringBuilder();
        while (c != null) {
            sb.append(c.getMessage()).append(" | ");
            c = c.getCause();
        }
        return sb.toString();
    }

}
