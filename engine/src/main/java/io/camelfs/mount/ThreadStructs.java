package io.camelfs.mount;

import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import ru.serce.jnrfuse.FuseCallbacks;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * The callbacks of a small file's life (getattr, fgetattr, create, open, read, write, flush, release), given one
 * FileStat and one FuseFileInfo per libfuse thread, pointed at the memory of the call at hand. jnr-fuse makes a new
 * one for every call, a jnr struct of 15-20 field objects each: with the Timespecs inside FileStat, about 40 % of
 * what the mount allocated per create. A view serves its call only; the mount keeps none past it.
 */
final class ThreadStructs {
    /** FuseFileInfo's constructor is protected. */
    private static final class FileInfo extends FuseFileInfo {
        FileInfo() {
            super(Runtime.getSystemRuntime());
        }
    }

    private static final ThreadLocal<FileStat> STAT =
            ThreadLocal.withInitial(() -> new FileStat(Runtime.getSystemRuntime()));
    private static final ThreadLocal<FuseFileInfo> INFO = ThreadLocal.withInitial(FileInfo::new);

    private ThreadStructs() {
    }

    static FileStat stat(Pointer p) {
        FileStat s = STAT.get();
        s.useMemory(p);
        return s;
    }

    static FuseFileInfo info(Pointer p) {
        FuseFileInfo fi = INFO.get();
        fi.useMemory(p);
        return fi;
    }

    /** Replaces jnr-fuse's callbacks for those operations; before libfuse copies the operations (fuse_setup). */
    static void install(FuseOperations ops, CamelfsFuse fs) {
        ops.getattr.set((FuseCallbacks.GetAttrCallback) (path, st) -> fs.getattr(path, stat(st)));
        ops.fgetattr.set((FuseCallbacks.FgetattrCallback) (path, st, fi) -> fs.fgetattr(path, stat(st), info(fi)));
        ops.create.set((FuseCallbacks.CreateCallback) (path, mode, fi) -> fs.create(path, mode, info(fi)));
        ops.open.set((FuseCallbacks.OpenCallback) (path, fi) -> fs.open(path, info(fi)));
        ops.read.set((FuseCallbacks.ReadCallback) (path, buf, size, off, fi) -> fs.read(path, buf, size, off, info(fi)));
        ops.write.set((FuseCallbacks.WriteCallback)
                (path, buf, size, off, fi) -> fs.write(path, buf, size, off, info(fi)));
        ops.flush.set((FuseCallbacks.FlushCallback) (path, fi) -> fs.flush(path, info(fi)));
        ops.release.set((FuseCallbacks.ReleaseCallback) (path, fi) -> fs.release(path, info(fi)));
    }
}
