package io.camelfs.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.afr.Replicate;
import io.camelfs.brick.BrickServer;
import io.camelfs.brick.BrickStartException;
import io.camelfs.fop.FopException;
import io.camelfs.protocol.Transport;
import io.camelfs.protocol.VolumeFetcher;
import io.camelfs.testing.Bytes;
import io.camelfs.testing.LocalVolume;
import io.camelfs.volume.VolumeSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between clients and bricks, with certificates made by the README's recipe (examples/tls/make-certs.sh,
 * real openssl): a client the CA signed and auth.ssl-allow names is served; one without a certificate, with one
 * from another CA, with a subject not allowed, or speaking plain TCP is refused with a clear error and served
 * nothing.
 */
class TlsTest {
    @TempDir
    Path tmp;
    private Path ca;
    private Path other;

    static void makeCerts(Path dir, String... names) throws Exception {
        Path script = Path.of("").toAbsolutePath().getParent().resolve("examples/tls/make-certs.sh");
        List<String> cmd = new java.util.ArrayList<>(List.of("sh", script.toString(), dir.toString()));
        cmd.addAll(List.of(names));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "make-certs.sh hung");
        assertEquals(0, p.exitValue(), "make-certs.sh failed: " + out);
    }

    @BeforeEach
    void certificates() throws Exception {
        ca = tmp.resolve("ca");
        other = tmp.resolve("other-ca");
        makeCerts(ca, "node", "web1", "intruder");
        makeCerts(other, "web1");
    }

    private TlsFiles files(Path dir, String name) {
        return new TlsFiles(dir.resolve(name + ".pem"), dir.resolve(name + ".key"), ca.resolve("ca.pem"));
    }

    private Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("tls", "true");
        o.put("tls.cert", ca.resolve("node.pem").toString());
        o.put("tls.key", ca.resolve("node.key").toString());
        o.put("tls.ca", ca.resolve("ca.pem").toString());
        o.put("auth.ssl-allow", "node;CN=web1,O=camelfs");
        return o;
    }

    @Test
    void aClientTheCaSignedAndTheListNamesIsServed() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp.resolve("v"), "web", 2, options())) {
            Transport web1 = Transport.tls(files(ca, "web1"));
            VolumeSpec fetched = VolumeFetcher.fetch(v.spec.bricks().get(0), List.of(), "web", Duration.ofSeconds(5),
                    web1);
            assertEquals(2, fetched.replica());
            try (Replicate c = Replicate.connect(fetched, "web1", web1)) {
                c.put("hello.txt", 0644, Bytes.of("over TLS"));
                assertEquals("over TLS", StandardCharsets.UTF_8.decode(c.read("hello.txt", 0, 100)).toString());
            }
            for (Path d : v.dirs) {
                assertEquals("over TLS", Files.readString(d.resolve("hello.txt")));
            }
        }
    }

    @Test
    void refusedClientsGetAClearErrorAndAreServedNothing() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp.resolve("v"), "web", 2, options())) {
            Map<String, Transport> refused = new LinkedHashMap<>();
            refused.put("plain TCP", Transport.PLAIN);
            refused.put("no certificate", Transport.tls(new TlsFiles(null, null, ca.resolve("ca.pem"))));
            refused.put("another CA", Transport.tls(new TlsFiles(other.resolve("web1.pem"), other.resolve("web1.key"),
                    ca.resolve("ca.pem"))));
            refused.put("subject not allowed", Transport.tls(files(ca, "intruder")));
            Map<String, String> reasons = new LinkedHashMap<>();
            for (Map.Entry<String, Transport> e : refused.entrySet()) {
                FopException fetch = assertThrows(FopException.class, () -> VolumeFetcher.fetch(
                        v.spec.bricks().get(0), List.of(), "web", Duration.ofSeconds(5), e.getValue()), e.getKey());
                reasons.put(e.getKey(), fetch.getMessage());
                try (Replicate c = Replicate.connect(v.spec, "refused", e.getValue())) {
                    assertThrows(FopException.class, () -> c.put(e.getKey() + ".txt", 0644, Bytes.of("x")),
                            e.getKey());
                }
                for (Path d : v.dirs) {
                    assertFalse(Files.exists(d.resolve(e.getKey() + ".txt")), e.getKey() + " was served");
                }
            }
            System.out.println("refusals: " + reasons);
            assertTrue(reasons.get("subject not allowed").contains("certificate CN=intruder,O=camelfs is not in"
                    + " auth.ssl-allow (node;CN=web1,O=camelfs)"), reasons.get("subject not allowed"));
            assertTrue(reasons.get("no certificate").contains("TLS with brick"), reasons.get("no certificate"));
            assertTrue(reasons.get("another CA").contains("TLS with brick"), reasons.get("another CA"));
            assertTrue(reasons.get("plain TCP").contains("speaks TLS only (volume option tls)"),
                    reasons.get("plain TCP"));
        }
    }

    @Test
    void unusableFilesStopTheBrickNamingTheFileAndNotItsContent() throws Exception {
        Path rsa = tmp.resolve("rsa.key");
        Process p = new ProcessBuilder("openssl", "genrsa", "-traditional", "-out", rsa.toString(), "2048")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        String keyText = Files.readString(rsa);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(tmp.resolve("missing.key").toString(), "cannot read it");
        cases.put(rsa.toString(), "openssl pkcs8 -topk8 -nocrypt -in " + rsa);
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Map<String, String> o = options();
            o.put("tls.key", c.getKey());
            VolumeSpec spec = VolumeSpec.of("web", 1, List.of("127.0.0.1:" + LocalVolume.freePort()), 0, o);
            BrickStartException e = assertThrows(BrickStartException.class, () -> BrickServer.start(
                    new BrickServer.Config(spec, tmp.resolve("b"), "127.0.0.1", spec.bricks().get(0).port(), true, 4),
                    null));
            assertTrue(e.getMessage().contains("tls.key " + c.getKey()) && e.getMessage().contains(c.getValue()),
                    e.getMessage());
            for (String line : keyText.split("\n")) {
                if (!line.startsWith("-----")) {
                    assertFalse(e.getMessage().contains(line), "key material in the error");
                }
            }
        }
    }
}
