package io.camelfs.brick;

import io.camelfs.tls.SubjectAllowList;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * What a brick of a volume with the tls option demands of a connection: a TLS 1.3 handshake within the brick
 * timeout, a client certificate its CA signed, and a subject auth.ssl-allow names.
 */
record TlsPolicy(SSLContext context, SubjectAllowList allow, Duration handshakeTimeout, String brick) {
}
