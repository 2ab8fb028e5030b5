package io.camelfs.cli;

import io.camelfs.fop.Errno;
import io.camelfs.fop.FileOps;
import io.camelfs.fop.FopException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cp", description = "Copy a local file into a volume.")
final class CpCommand implements Callable<Integer> {
    private static final int CHUNK = 1 << 20;

    @Parameters(index = "0", paramLabel = "LOCALFILE")
    Path source;
    @Parameters(index = "1", paramLabel = "HOST:PORT:/VOLUME/path")
    String target;
    @Option(names = "--mode", description = "permission bits, octal (default: those of the local file)")
    String mode;

    @Override
    public Integer call() throws IOException {
        if (!Files.exists(source)) {
            throw new NoSuchFileException(source + ": No such file or directory");
        }
        if (Files.isDirectory(source)) {
            throw new IOException(source + ": is a directory (copy files one by one, or mount the volume)");
        }
        int perms = mode != null ? Integer.parseInt(mode, 8)
                : (Integer) Files.getAttribute(source, "unix:mode") & 07777;
        try (VolumeTarget t = VolumeTarget.open(target); InputStream in = Files.newInputStream(source)) {
            FileOps v = t.volume;
            String path = t.path();
            if (path.isEmpty() || path.endsWith("/")) {
                path = path + source.getFileName();
            }
            try {
                if (v.lookup(path).isDirectory()) {
                    path = path + "/" + source.getFileName();
                }
            } catch (FopException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
            byte[] buf = in.readNBytes(CHUNK);
            v.put(path, perms, ByteBuffer.wrap(buf));
            long off = buf.length;
            while ((buf = in.readNBytes(CHUNK)).length > 0) {
                v.write(path, off, ByteBuffer.wrap(buf));
                off += buf.length;
            }
        }
        return 0;
    }
}
