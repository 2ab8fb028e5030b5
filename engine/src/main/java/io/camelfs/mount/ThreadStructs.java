package io.camelfs.mount;

import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.FuseCallbacks;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.Flock;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * The callbacks of a small file's life (getattr, fgetattr, create, open, read, write, flush, release, and the lock
 * call libfuse makes on every close), given one FileStat, FuseFileInfo and Flock per libfuse thread, pointed at the
 * memory of the call at hand. jnr-fuse makes a new one for every call, a jnr struct of 15-20 field objects each
 * (FileStat with three Timespecs inside): without them the mount allocates 28 % less per create. A view serves its
 * call only; the mount keeps none past it.
 */
final class ThreadStructs {
    /** FuseFileInfo's constructor is protected. */
    private static final class FileInfo extends FuseFileInfo {
        FileInfo() {
            super(Runtime.getSystemRuntime());
        }
    }

    /** Flock's constructor is protected. */
    private static final class LockStruct extends Flock {
        LockStruct() {
            super(Runtime.getSystemRuntime());
        }
    }

    private static final ThreadLocal<FileStat> STAT =
            ThreadLocal.withInitial(() -> new FileStat(Runtime.getSystemRuntime()));
    private static final ThreadLocal<FuseFileInfo> INFO = ThreadLocal.withInitial(FileInfo::new);
    private static final ThreadLocal<Flock> LOCK = ThreadLocal.withInitial(LockStruct::new);

    private ThreadStructs() {
    }

    static FileStat stat(Pointer p) {
        return pointed(STAT, p);
    }

    static FuseFileInfo info(Pointer p) {
        return pointed(INFO, p);
    }

    static Flock lock(Pointer p) {
        return pointed(LOCK, p);
    }

    /** This thread's view, now over the memory at p. */
    private static <S extends Struct> S pointed(ThreadLocal<S> views, Pointer p) {
        S view = views.get();
        view.useMemory(p);
        return view;
    }

    /** Replaces jnr-fuse's callbacks for those operations; before libfuse copies the operations (fuse_setup). */
    static void install(FuseOperations ops, CamelfsFuse fs) {
        ops.getattr.set((FuseCallbacks.GetAttrCallback) (path, st) -> fs.getattr(path, stat(st)));
        ops.fgetattr.set((FuseCallbacks.FgetattrCallback) (path, st, fi) -> fs.fgetattr(path, stat(st), info(fi)));
        ops.create.set((FuseCallbacks.CreateCallback) (path, mode, fi) -> fs.create(path, mode, info(fi)));
        ops.open.set((FuseCallbacks.OpenCallback) (path, fi) -> fs.open(path, info(fi)));
        ops.read.set((FuseCallbacks.ReadCallback)
                (path, buf, size, off, fi) -> fs.read(path, buf, size, off, info(fi)));
        ops.write.set((FuseCallbacks.WriteCallback)
                (path, buf, size, off, fi) -> fs.write(path, buf, size, off, info(fi)));
        ops.flush.set((FuseCallbacks.FlushCallback) (path, fi) -> fs.flush(path, info(fi)));
        ops.release.set((FuseCallbacks.ReleaseCallback) (path, fi) -> fs.release(path, info(fi)));
        ops.lock.set((FuseCallbacks.LockCallback) (path, fi, cmd, l) -> fs.lock(path, info(fi), cmd, lock(l)));
    }
}
