package io.camelfs.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a process's descriptor of a file by /proc alone (no stat of the file, which could wait on a mount). */
class PageDropsTest {
    @TempDir
    Path dir;

    @Test
    void findsTheDescriptorAProcessHasOfAFileAlsoOnceItIsUnlinked() throws Exception {
        int pid = (int) ProcessHandle.current().pid();
        Path file = dir.toRealPath().resolve("locked.dat");
        Files.write(file, new byte[10]);
        assertEquals(-1, PageDrops.descriptorOf(pid, file.toString()), "not open");
        try (RandomAccessFile open = new RandomAccessFile(file.toFile(), "rw")) {
            int fd = PageDrops.descriptorOf(pid, file.toString());
            assertEquals(file, Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
            Files.delete(file);
            assertEquals(fd, PageDrops.descriptorOf(pid, file.toString()), "the kernel marks it (deleted)");
            assertEquals(-1, PageDrops.descriptorOf(pid, dir.toRealPath().resolve("other").toString()));
        }
        assertEquals(-1, PageDrops.descriptorOf(Integer.MAX_VALUE, file.toString()), "no such process");
    }
}
