package io.camelfs.camel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.volume.VolumeDefinition;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** root-squash through the gluster: producer, which runs as the node's root: the bricks treat it as nobody. */
class GlusterSquashTest {
    @TempDir
    Path tmp;
    private CamelContext context;
    private ProducerTemplate template;

    @BeforeEach
    void start() throws Exception {
        int p1 = GlusterComponentTest.freePort();
        int p2 = GlusterComponentTest.freePort();
        VolumeDefinition v = new VolumeDefinition();
        v.setReplica(2);
        v.setBricks("127.0.0.1:" + p1 + ",127.0.0.1:" + p2);
        v.setOptions(Map.of("rootSquash", "true"));
        context = new DefaultCamelContext();
        context.getRegistry().bind("vol", v);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("brick:vol?createDirectory=true&port=" + p1 + "&directory=" + tmp.resolve("b1")).to("log:b1");
                from("brick:vol?createDirectory=true&port=" + p2 + "&directory=" + tmp.resolve("b2")).to("log:b2");
            }
        });
        context.start();
        template = context.createProducerTemplate();
        for (String b : new String[] {"b1", "b2"}) {
            // what an administrator prepares on every brick: a drop folder nobody may write to, a private one
            Files.setAttribute(Files.createDirectories(tmp.resolve(b).resolve("drop")), "unix:mode", 01777);
            Files.setAttribute(Files.createDirectories(tmp.resolve(b).resolve("private")), "unix:mode", 0700);
        }
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    private Exchange write(String path, String body) {
        return template.send("gluster:vol?operation=write", x -> {
            x.getIn().setHeader(Exchange.FILE_NAME, path);
            x.getIn().setBody(body);
        });
    }

    @Test
    void theProducerWritesAsNobodyAndIsRefusedWhatNobodyMayNotDo() throws Exception {
        Exchange ok = write("drop/report.csv", "a,b\n");
        assertNull(ok.getException());
        for (String b : new String[] {"b1", "b2"}) {
            Path f = tmp.resolve(b).resolve("drop/report.csv");
            assertEquals("a,b\n", Files.readString(f));
            assertEquals(65534, Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(65534, Files.getAttribute(f, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        }
        Exchange refused = write("private/planted.txt", "x");
        FopException e = assertInstanceOf(FopException.class, refused.getException());
        assertEquals(Errno.EACCES, e.errno(), e.getMessage());
        for (String b : new String[] {"b1", "b2"}) {
            assertFalse(Files.exists(tmp.resolve(b).resolve("private/planted.txt")));
        }
    }
}
