package io.camelfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The JVM flags a mount process starts with: only those its JVM knows, or it would not start at all. */
class MountCommandTest {
    @Test
    void nativeHeapTrimOnlyWhereTheJvmHasTheSwitch() {
        List<String> trim = List.of("-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=1000");
        assertEquals(List.of(), MountCommand.nativeHeapTrim(Runtime.Version.parse("17.0.8+7")));
        assertEquals(trim, MountCommand.nativeHeapTrim(Runtime.Version.parse("17.0.9+9")));
        assertEquals(List.of(), MountCommand.nativeHeapTrim(Runtime.Version.parse("18.0.2+9")));
        assertEquals(List.of(), MountCommand.nativeHeapTrim(Runtime.Version.parse("21+35")));
        assertEquals(trim, MountCommand.nativeHeapTrim(Runtime.Version.parse("21.0.1+12")));
        assertEquals(trim, MountCommand.nativeHeapTrim(Runtime.Version.parse("22+36")));
    }

    @Test
    void thisJvmStartsWithTheFlagsAMountGets() throws Exception {
        List<String> flags = MountCommand.nativeHeapTrim(Runtime.version());
        assertFalse(flags.isEmpty(), "this build's JDK (" + Runtime.version() + ") has the switch");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
    }
}
