package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica-2 volume with mutual TLS between separate node processes, certificates from the README's recipe, and a
 * FUSE mount that shows its own certificate; a mount without one is refused in one line; no log holds a key or the
 * Jolokia password.
 */
class TlsIT {
    @TempDir
    Path work;

    @Test
    void nodesAndAMountSpeakMutualTlsAndNoLogHoldsASecret() throws Exception {
        Path certs = work.resolve("certs");
        Path script = Path.of(System.getProperty("camelfs.home")).resolve("examples/tls/make-certs.sh");
        Sh.run(work, Duration.ofSeconds(60), "sh " + script + " " + certs + " node1 node2 web1").ok();
        String options = "          tls: true\n"
                + "          tlsCert: " + certs + "/NODECERT.pem\n"
                + "          tlsKey: " + certs + "/NODECERT.key\n"
                + "          tlsCa: " + certs + "/ca.pem\n"
                + "          authSslAllow: node1,node2,web1\n";
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 2, options);
        int jolokia = NodeProcess.freePort();
        for (int i = 0; i < 2; i++) {
            String text = Files.readString(yaml.get(i)).replace("NODECERT", "node" + (i + 1));
            if (i == 0) {
                text += NodeProcess.monitoringBean("        jolokiaPort: " + jolokia + "\n"
                        + "        jolokiaUser: ops\n        jolokiaPassword: pa55-not-in-logs\n");
            }
            Files.writeString(yaml.get(i), text);
        }
        String address = "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web";
        try (NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
                NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1))) {
            // every port a node opens is bound where the YAML says: bricks on their listed host, Jolokia on 127.0.0.1
            String listening = Sh.run(work, Duration.ofSeconds(10), "ss -Hltn").ok().out();
            for (int port : new int[] {NodeProcess.port(yaml.get(0)), NodeProcess.port(yaml.get(1)), jolokia}) {
                // the JVM listens on IPv6 sockets: 127.0.0.1 shows as [::ffff:127.0.0.1]
                assertTrue(listening.contains("127.0.0.1:" + port + " ") || listening.contains("127.0.0.1]:" + port
                        + " "), port + " not on 127.0.0.1: " + listening);
                assertFalse(listening.contains("0.0.0.0:" + port + " ") || listening.contains("*:" + port + " ")
                        || listening.contains("[::]:" + port + " "), port + " on every address: " + listening);
            }
            Path m = work.resolve("m");
            try (Mounted mount = Mounted.mount(work, address, m, "tls-cert=" + certs + "/web1.pem,tls-key=" + certs
                    + "/web1.key,tls-ca=" + certs + "/ca.pem")) {
                Sh.run(work, Duration.ofSeconds(30), "echo 'over tls' > " + m + "/hello.txt").ok();
                assertEquals("over tls\n", Sh.run(work, Duration.ofSeconds(30), "cat " + m + "/hello.txt").ok().out());
            }
            for (int b = 1; b <= 2; b++) {
                assertEquals("over tls\n", Files.readString(work.resolve("data/brick" + b + "/hello.txt")));
            }
            // a mount without a certificate: refused at once, in one line, with a non-zero exit
            Path m2 = Files.createDirectories(work.resolve("m2"));
            NodeProcess.Result plain = NodeProcess.cli(work, Duration.ofSeconds(30), "mount", address, m2.toString());
            assertNotEquals(0, plain.exit());
            assertEquals(1, plain.err().strip().lines().count(), plain.err());
            assertTrue(plain.err().contains("speaks TLS only"), plain.err());
            assertFalse(Mounted.isMounted(m2));
            // the command line over TLS, from the environment
            Sh.Result ls = Sh.run(work, Duration.ofSeconds(60), "CAMELFS_TLS=on CAMELFS_TLS_CERT=" + certs
                    + "/web1.pem CAMELFS_TLS_KEY=" + certs + "/web1.key CAMELFS_TLS_CA=" + certs + "/ca.pem "
                    + System.getProperty("camelfs.home") + "/bin/camelfs ls " + address + "/");
            assertTrue(ls.out().contains("hello.txt"), ls.out() + ls.err());
        }
        List<String> secrets = new ArrayList<>(List.of("pa55-not-in-logs"));
        for (String name : new String[] {"node1", "node2", "web1", "ca"}) {
            for (String line : Files.readAllLines(certs.resolve(name + ".key"))) {
                if (!line.startsWith("-----")) {
                    secrets.add(line);
                }
            }
        }
        int logs = 0;
        try (Stream<Path> files = Files.walk(work)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".out")
                    || p.toString().endsWith(".err")).toList()) {
                String text = Files.readString(f);
                logs++;
                for (String s : secrets) {
                    assertFalse(text.contains(s), f + " holds a secret");
                }
            }
        }
        assertTrue(logs >= 3, "node and mount logs were read: " + logs);
    }
}
