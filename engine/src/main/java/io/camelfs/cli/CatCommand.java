package io.camelfs.cli;

import io.camelfs.fop.Attr;
import io.camelfs.fop.Errno;
import io.camelfs.fop.FopException;
import io.camelfs.fop.VolumePath;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "cat", description = "Print a file of a volume.")
final class CatCommand implements Callable<Integer> {
    private static final int CHUNK = 1 << 20;

    @Parameters(paramLabel = "HOST:PORT:/VOLUME/path")
    String target;

    @Override
    public Integer call() throws IOException {
        try (VolumeTarget t = VolumeTarget.open(target)) {
            Attr a = t.volume.lookup(t.path());
            if (a.isDirectory()) {
                throw FopException.of(Errno.EISDIR, VolumePath.display(t.path()));
            }
            OutputStream out = System.out;
            long off = 0;
            byte[] buf = new byte[CHUNK];
            for (;;) {
                ByteBuffer b = t.volume.read(t.path(), off, CHUNK);
                int n = b.remaining();
                if (n == 0) {
                    break;
                }
                b.get(buf, 0, n);
                out.write(buf, 0, n);
                off += n;
            }
            out.flush();
        }
        return 0;
    }
}
