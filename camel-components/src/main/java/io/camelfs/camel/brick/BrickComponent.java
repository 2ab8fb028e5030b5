package io.camelfs.camel.brick;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/** brick:VOLUME -- serves a brick directory of a volume; the route's consumer is the brick server. */
@Component("brick")
public class BrickComponent extends DefaultComponent {
    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        BrickEndpoint e = new BrickEndpoint(uri, this);
        e.setVolume(remaining);
        setProperties(e, parameters);
        return e;
    }
}
