package io.camelfs.cli;

import io.camelfs.fop.DirEntry;
import io.camelfs.fop.DirPage;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.FileType;
import io.camelfs.fop.FopException;
import io.camelfs.fop.VolumePath;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rm", description = "Remove a file (or, with -r, a directory tree) from a volume.")
final class RmCommand implements Callable<Integer> {
    @Parameters(paramLabel = "HOST:PORT:/VOLUME/path")
    String target;
    @Option(names = {"-r", "--recursive"}, description = "remove directories and their contents")
    boolean recursive;

    @Override
    public Integer call() {
        try (VolumeTarget t = VolumeTarget.open(target)) {
            if (t.path().isEmpty()) {
                throw new FopException(Errno.EPERM, "refusing to remove the volume root");
            }
            if (t.volume.lookup(t.path()).isDirectory()) {
                if (!recursive) {
                    throw FopException.of(Errno.EISDIR, VolumePath.display(t.path()));
                }
                removeTree(t.volume, t.path());
            } else {
                t.volume.unlink(t.path());
            }
        }
        return 0;
    }

    private static void removeTree(FileOps v, String dir) {
        for (;;) {
            DirPage p = v.readdir(dir, 0, 1000, false);
            for (DirEntry e : p.entries()) {
                String child = VolumePath.child(dir, e.name());
                if (e.type() == FileType.DIRECTORY) {
                    removeTree(v, child);
                } else {
                    v.unlink(child);
                }
            }
            if (p.eof() || p.entries().isEmpty()) {
                break;
            }
        }
        v.rmdir(dir);
    }
}
