package io.camelfs.dist;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;

/** A Camel context in the test JVM using the gluster: producer against bricks in other processes. */
final class VolumeWriter implements AutoCloseable {
    private final CamelContext context = new DefaultCamelContext();
    private final ProducerTemplate template;
    private final String uri;

    VolumeWriter(String volume, int serverPort) {
        this(volume, "127.0.0.1:" + serverPort);
    }

    /** @param servers host:port of bricks to fetch the volume from, comma separated: the first that answers */
    VolumeWriter(String volume, String servers) {
        context.start();
        this.template = context.createProducerTemplate();
        this.uri = "gluster:" + volume + "?servers=" + servers;
    }

    /** Sends one exchange with extra headers; returns it (with its exception, if the operation failed). */
    Exchange send(String operation, String path, Object body, java.util.Map<String, Object> headers) {
        return template.send(uri + "&operation=" + operation, x -> {
            x.getIn().setHeader(Exchange.FILE_NAME, path);
            x.getIn().getHeaders().putAll(headers);
            x.getIn().setBody(body);
        });
    }

    /** Sends one exchange; returns it (with its exception, if the operation failed). */
    Exchange send(String operation, String path, Object body) {
        return template.send(uri + "&operation=" + operation, x -> {
            x.getIn().setHeader(Exchange.FILE_NAME, path);
            x.getIn().setBody(body);
        });
    }

    void write(String path, byte[] data) {
        Exchange x = send("write", path, data);
        if (x.getException() != null) {
            throw new AssertionError("write " + path + " failed", x.getException());
        }
    }

    byte[] read(String path) {
        Exchange x = send("read", path, null);
        if (x.getException() != null) {
            throw new AssertionError("read " + path + " failed", x.getException());
        }
        return x.getMessage().getBody(byte[].class);
    }

    @Override
    public void close() {
        context.stop();
    }
}
