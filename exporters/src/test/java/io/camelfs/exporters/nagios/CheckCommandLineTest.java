package io.camelfs.exporters.nagios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bad command lines answer UNKNOWN with a usage line and exit 3; an unreachable volume is CRITICAL. */
class CheckCommandLineTest {
    private record Run(int exit, String out) {
    }

    private static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.execute(args);
            return new Run(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void malformedThresholdIsUnknownWithUsage() {
        Run r = run("check", "volume", "127.0.0.1:1:/web", "-w", "1:0x");
        assertEquals(3, r.exit());
        assertEquals("CAMELFS UNKNOWN - -w: threshold range '1:0x' is not N, N:, ~:N, N:M or @N:M\n"
                + "Usage: check_camelfs volume [-hV] [-c=RANGE] [-t=SECONDS] [-w=RANGE] HOST:PORT:/VOLUME\n",
                r.out());
    }

    @Test
    void unknownOptionMissingArgumentAndNoModeAreUnknown() {
        Run r = run("check", "brick", "--bogus", "/tmp");
        assertEquals(3, r.exit());
        assertTrue(r.out().startsWith("CAMELFS UNKNOWN - Unknown option: '--bogus'\nUsage: check_camelfs brick"),
                r.out());
        r = run("check", "mount");
        assertEquals(3, r.exit());
        assertTrue(r.out().startsWith("CAMELFS UNKNOWN - Missing required parameter: 'PATH'"), r.out());
        r = run("check");
        assertEquals(3, r.exit());
        assertTrue(r.out().startsWith("CAMELFS UNKNOWN - name a mode"), r.out());
        r = run("check", "volume", "not-an-address");
        assertEquals(3, r.exit());
        assertTrue(r.out().startsWith("CAMELFS UNKNOWN - "), r.out());
    }

    @Test
    void unreachableVolumeIsCriticalWithTheReason() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = run("check", "volume", "127.0.0.1:" + port + ":/web", "-t", "20");
        assertEquals(2, r.exit(), r.out());
        assertEquals("CAMELFS VOLUME CRITICAL - volume web unreachable: cannot get volume web from 127.0.0.1:"
                + port + ": connection refused\n", r.out());
    }

    @Test
    void aPathThatIsNotMountedIsCritical() {
        Run r = run("check", "mount", "/proc/self");
        assertEquals(2, r.exit(), r.out());
        assertEquals("CAMELFS MOUNT CRITICAL - /proc/self is not a mountpoint\n", r.out());
    }
}
