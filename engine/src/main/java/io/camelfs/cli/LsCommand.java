package io.camelfs.cli;

import io.camelfs.fop.Attr;
import io.camelfs.fop.DirEntry;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.VolumePath;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ls", description = "List a directory of a volume.")
final class LsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());

    @Parameters(paramLabel = "HOST:PORT:/VOLUME[/dir]")
    String target;
    @Option(names = "-l", description = "long listing: type and mode, owner, size, time")
    boolean longFormat;

    @Override
    public Integer call() {
        try (VolumeTarget t = VolumeTarget.open(target)) {
            Attr self = t.volume.lookup(t.path());
            if (!self.isDirectory()) {
                print(VolumePath.name(t.path()), self);
                return 0;
            }
            List<DirEntry> all = new ArrayList<>();
            long cookie = 0;
            for (;;) {
                DirPage p = t.volume.readdir(t.path(), cookie, 1000, longFormat);
                all.addAll(p.entries());
                if (p.eof() || p.entries().isEmpty()) {
                    break;
                }
                cookie = p.entries().get(p.entries().size() - 1).cookie();
            }
            all.sort(Comparator.comparing(DirEntry::name));
            for (DirEntry e : all) {
                print(e.name(), e.attr());
            }
        }
        return 0;
    }

    private void print(String name, Attr a) {
        if (!longFormat || a == null) {
            System.out.println(name);
            return;
        }
        System.out.printf("%c%s %6d %6d %12d %s %s%n", a.type().letter(), perms(a.permissions()), a.uid(), a.gid(),
                a.size(), TIME.format(a.mtime().toInstant()), name);
    }

    private static String perms(int m) {
        String rwx = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            sb.append((m & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return sb.toString();
    }
}
