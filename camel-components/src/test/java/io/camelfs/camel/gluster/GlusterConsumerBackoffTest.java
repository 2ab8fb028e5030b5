package io.camelfs.camel.gluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.volume.VolumeDefinition;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A consumer whose volume is unreachable keeps its route up, backs off, says why -- and recovers. */
class GlusterConsumerBackoffTest {
    @TempDir
    Path tmp;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void unreachableVolumeBacksOffThenDeliversWhenItsBricksStart() throws Exception {
        int p1 = freePort();
        int p2 = freePort();
        VolumeDefinition v = new VolumeDefinition();
        v.setReplica(2);
        v.setBricks("127.0.0.1:" + p1 + ",127.0.0.1:" + p2);
        List<String> seen = new CopyOnWriteArrayList<>();
        CamelContext c = new DefaultCamelContext();
        c.getRegistry().bind("vol", v);
        c.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("gluster:vol?pollDelay=20&positionFile=" + tmp.resolve("pos")).routeId("events")
                        .process(x -> seen.add(x.getIn().getHeader(Exchange.FILE_NAME, String.class)));
            }
        });
        c.start();
        try {
            GlusterConsumer consumer = (GlusterConsumer) c.getRoute("events").getConsumer();
            long end = System.nanoTime() + 10_000_000_000L;
            while (consumer.failures() < 3 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(consumer.failures() >= 3, "polls kept failing: " + consumer.failures());
            assertTrue(consumer.failing().contains("no brick of volume vol is up"), consumer.failing());
            assertTrue(c.getRouteController().getRouteStatus("events").isStarted(), "the route stays up");
            int failuresSoFar = consumer.failures();
            Thread.sleep(300);
            assertTrue(consumer.failures() - failuresSoFar <= 2, "backing off: the waits grow ("
                    + (consumer.failures() - failuresSoFar) + " more failures in 300 ms at a 20 ms poll delay)");

            c.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("brick:vol?createDirectory=true&port=" + p1 + "&directory=" + tmp.resolve("b1"))
                            .to("log:b?level=OFF");
                    from("brick:vol?createDirectory=true&port=" + p2 + "&directory=" + tmp.resolve("b2"))
                            .to("log:b?level=OFF");
                }
            });
            end = System.nanoTime() + 40_000_000_000L;
            while (consumer.failures() > 0 && System.nanoTime() < end) {
                Thread.sleep(50); // the client reconnects; the next poll after the backoff succeeds
            }
            assertEquals(0, consumer.failures(), "recovered: " + consumer.failing());
            Exchange w = c.createProducerTemplate().send("gluster:vol", x -> {
                x.getIn().setHeader(Exchange.FILE_NAME, "after.txt");
                x.getIn().setBody("hello");
            });
            assertEquals(null, w.getException());
            end = System.nanoTime() + 10_000_000_000L;
            while (seen.isEmpty() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertEquals(List.of("after.txt"), seen);
        } finally {
            c.stop();
        }
    }
}
