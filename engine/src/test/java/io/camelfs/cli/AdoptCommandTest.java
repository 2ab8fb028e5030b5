package io.camelfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.testing.BrickInspector;
import io.camelfs.testing.LocalVolume;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two directories rsync kept roughly in sync become the bricks of a volume: the dry run reports and changes nothing;
 * the real run gives ids, keeps what is the same and heals what differs from the copy changed last.
 */
class AdoptCommandTest {
    @TempDir
    Path tmp;

    private static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.execute(args);
            assertEquals(0, exit, buf.toString(StandardCharsets.UTF_8));
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(old);
        }
    }

    private static void write(Path p, String text, long mtimeSeconds) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setLastModifiedTime(p, FileTime.fromMillis(mtimeSeconds * 1000));
    }

    /**
     * A brick as adoption makes it agree: atimes are each machine's own (rsync does not carry them either), and a
     * directory's mtime is when each machine created it.
     */
    private static Map<String, String> adopted(Path brick) throws Exception {
        Map<String, String> m = new java.util.TreeMap<>();
        BrickInspector.snapshot(brick, true).forEach((k, val) -> m.put(k, val.replaceAll(" a[0-9.]+", "")
                .replaceAll("^(40[0-7]+ .*) m[0-9.]+", "$1")));
        return m;
    }

    @Test
    void dryRunReportsThenAdoptionHealsOnlyWhatDiffers() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2)) {
            // what two rsync'd web roots look like: mostly the same, one page newer on web2, one file web1 only
            for (int b = 0; b < 2; b++) {
                write(v.file(b, "index.html"), "<h1>home</h1>", 1_700_000_000);
                write(v.file(b, "css/site.css"), "body{}", 1_700_000_000);
            }
            write(v.file(0, "about.html"), "old about", 1_700_000_000);
            write(v.file(1, "about.html"), "new about", 1_700_000_500);
            write(v.file(0, "stray.tmp"), "left over", 1_700_000_000);
            Files.setLastModifiedTime(v.file(0, ""), FileTime.fromMillis(1_600_000_000_000L));
            Files.setLastModifiedTime(v.file(1, ""), FileTime.fromMillis(1_700_000_600_000L)); // web2 changed last
            String target = v.spec.bricks().get(0) + ":/" + v.spec.name();
            Map<String, String> before = BrickInspector.snapshot(v.dirs.get(0), true);

            String dry = run("adopt", "--dry-run", target);
            assertTrue(dry.contains("/about.html: differs on " + v.spec.bricks().get(0)), dry);
            assertTrue(dry.contains("/stray.tmp: missing on " + v.spec.bricks().get(1)), dry);
            assertTrue(dry.contains("2 differences") && dry.contains("dry run: nothing was changed"), dry);
            assertEquals(before, BrickInspector.snapshot(v.dirs.get(0), true), "the dry run changed nothing");

            String real = run("adopt", target);
            assertTrue(real.contains("healing from " + v.spec.bricks().get(1)), real);
            assertEquals("new about", Files.readString(v.file(0, "about.html")), "the copy changed last wins");
            assertFalse(Files.exists(v.file(0, "stray.tmp")), "names follow the directory changed last");
            assertEquals(adopted(v.dirs.get(0)), adopted(v.dirs.get(1)),
                    "the same names, ids, content, modes, owners and file mtimes on both bricks");
            String again = run("adopt", "--dry-run", target);
            assertTrue(again.contains("0 differences"), again);
        }
    }

    @Test
    void aSourceThatIsNotABrickIsRefusedAndNothingChanges() throws Exception {
        try (LocalVolume v = new LocalVolume(tmp, 2)) {
            write(v.file(0, "a.txt"), "a", 1_700_000_000);
            String target = v.spec.bricks().get(0) + ":/" + v.spec.name();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            PrintStream old = System.err;
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit;
            try {
                exit = Main.execute("adopt", "--source", "127.0.0.1:1", target);
            } finally {
                System.setErr(old);
            }
            assertEquals(1, exit);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("--source 127.0.0.1:1 is not a brick of volume"),
                    err.toString(StandardCharsets.UTF_8));
            assertFalse(LocalVolume.exists(v.file(1, "a.txt")), "nothing healed");
        }
    }
}
