package io.camelfs.brick;

import io.camelfs.protocol.v1.HealCrawl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crawls healers reported to this brick, newest last, kept across restarts in
 * {@code .camelfs/heal-statistics} (one base64 protobuf per line) so `camelfs heal ... statistics` has history.
 */
final class HealStatistics {
    private static final Logger LOG = LoggerFactory.getLogger(HealStatistics.class);
    private static final int KEEP = 100;
    private final Path file;
    private final Deque<HealCrawl> crawls = new ArrayDeque<>();

    HealStatistics(Path metaDir) {
        this.file = metaDir.resolve("heal-statistics");
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                    try {
                        remember(HealCrawl.parseFrom(Base64.getDecoder().decode(line.trim())));
                    } catch (IOException | IllegalArgumentException skip) {
                        // a torn last line after a crash: the rest is still good
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", file, e.toString());
        }
    }

    private void remember(HealCrawl c) {
        crawls.addLast(c);
        while (crawls.size() > KEEP) {
            crawls.removeFirst();
        }
    }

    synchronized void add(HealCrawl c) {
        remember(c);
        try {
            if (crawls.size() == KEEP) {
                List<String> lines = new ArrayList<>();
                crawls.forEach(x -> lines.add(Base64.getEncoder().encodeToString(x.toByteArray())));
                Files.write(file, lines, StandardCharsets.US_ASCII);
            } else {
                Files.writeString(file, Base64.getEncoder().encodeToString(c.toByteArray()) + "\n",
                        StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            LOG.warn("cannot record heal statistics in {}: {}", file, e.toString());
        }
    }

    synchronized List<HealCrawl> all() {
        return new ArrayList<>(crawls);
    }
}
