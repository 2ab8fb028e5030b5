package io.camelfs.mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the kernel says is mounted where (/proc/self/mountinfo). */
public final class Mounts {
    private Mounts() {
    }

    /** The filesystem type mounted exactly at dir ("fuse.camelfs", "ext4", ...), or null when nothing is. */
    public static String typeAt(Path dir) {
        String target = dir.toAbsolutePath().normalize().toString();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8);
            String type = null;
            for (String l : lines) {
                // id parent major:minor root mountpoint options ... - type source superoptions
                String[] f = l.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(target)) {
                    int dash = l.indexOf(" - ");
                    type = dash < 0 ? "?" : l.substring(dash + 3).split(" ")[0];
                }
            }
            return type; // the last one listed is on top
        } catch (IOException e) {
            return null;
        }
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
