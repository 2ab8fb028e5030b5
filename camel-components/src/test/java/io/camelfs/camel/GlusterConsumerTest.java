package io.camelfs.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.volume.VolumeDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gluster: consumer: one exchange per committed change, in commit order, filtered by type and glob, and a
 * restarted context goes on from its saved position (nothing lost while it was stopped, nothing repeated).
 */
class GlusterConsumerTest {
    @TempDir
    Path tmp;

    private int p1;
    private int p2;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    private CamelContext start(String consumerUri) throws Exception {
        VolumeDefinition v = new VolumeDefinition();
        v.setReplica(2);
        v.setBricks("127.0.0.1:" + p1 + ",127.0.0.1:" + p2);
        CamelContext c = new DefaultCamelContext();
        c.getRegistry().bind("vol", v);
        c.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("brick:vol?createDirectory=true&port=" + p1 + "&directory=" + tmp.resolve("b1")).to("log:b?level=OFF");
                from("brick:vol?createDirectory=true&port=" + p2 + "&directory=" + tmp.resolve("b2")).to("log:b?level=OFF");
                if (consumerUri != null) {
                    from(consumerUri).process(x -> seen.add(x.getIn().getHeader("CamelGlusterEventType",
                            String.class) + " " + x.getIn().getHeader(Exchange.FILE_NAME, String.class)
                            + (x.getIn().getHeader("CamelGlusterRenameTo") == null ? ""
                                    : " -> " + x.getIn().getHeader("CamelGlusterRenameTo"))));
                }
            }
        });
        c.start();
        return c;
    }

    private static void send(ProducerTemplate t, String op, String path, Object body, String header, Object value) {
        Exchange x = t.send("gluster:vol?operation=" + op, e -> {
            e.getIn().setHeader(Exchange.FILE_NAME, path);
            e.getIn().setBody(body);
            if (header != null) {
                e.getIn().setHeader(header, value);
            }
        });
        if (x.getException() != null) {
            throw new AssertionError(op + " " + path, x.getException());
        }
    }

    private void await(int n) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (seen.size() < n && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        Thread.sleep(300); // and nothing more than that
    }

    @Test
    void everyChangeOnceInCommitOrderFilteredAndResumedAfterARestart() throws Exception {
        p1 = GlusterComponentTest.freePort();
        p2 = GlusterComponentTest.freePort();
        String uri = "gluster:vol?events=create,modify,delete,rename&include=static/**&pollDelay=50"
                + "&positionFile=" + tmp.resolve("events.position");
        CamelContext c = start(uri);
        ProducerTemplate t = c.createProducerTemplate();
        send(t, "mkdir", "static", null, null, null);
        send(t, "write", "static/a.css", "a", null, null);
        send(t, "write", "other/x.txt", "x", null, null);            // outside the glob
        send(t, "append", "static/a.css", "b", null, null);
        send(t, "rename", "static/a.css", null, "CamelGlusterRenameTo", "static/b.css");
        send(t, "delete", "static/b.css", null, null, null);
        await(4);
        assertEquals(List.of("create static/a.css", "modify static/a.css", "rename static/a.css -> static/b.css",
                "delete static/b.css"), new ArrayList<>(seen), "static/ itself is not under static/**, other/ is"
                        + " excluded, and each change comes once, in order");
        c.stop();

        // while the consumer is stopped, changes go on (a node without the consumer route writes them)
        seen.clear();
        CamelContext writer = start(null);
        ProducerTemplate w = writer.createProducerTemplate();
        for (int i = 0; i < 5; i++) {
            send(w, "write", "static/f" + i, "v" + i, null, null);
        }
        writer.stop();

        CamelContext again = start(uri);
        await(5);
        assertEquals(List.of("create static/f0", "create static/f1", "create static/f2", "create static/f3",
                "create static/f4"), new ArrayList<>(seen), "resumed from the saved position: nothing lost,"
                        + " nothing repeated");
        again.stop();
    }

    @Test
    void anUnknownEventTypeFailsAtStartUpNamingIt() throws Exception {
        p1 = GlusterComponentTest.freePort();
        p2 = GlusterComponentTest.freePort();
        Exception e = assertThrows(Exception.class, () -> start("gluster:vol?events=create,chmod"));
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertTrue(root.getMessage().contains("events: unknown event 'chmod'"), root.getMessage());
    }
}
