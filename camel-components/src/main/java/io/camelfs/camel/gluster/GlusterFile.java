package io.camelfs.camel.gluster;

import io.camelfs.fop.Attr;
import io.camelfs.fop.VolumePath;
import java.time.Instant;
import java.util.Locale;

/** One file or directory of a volume, as the list and stat operations return it. */
public record GlusterFile(String path, String name, String type, long size, int mode, int uid, int gid,
        Instant modified, String gfid) {

    static GlusterFile of(String path, Attr a) {
        return new GlusterFile(VolumePath.display(path), VolumePath.name(path), a.type().name().toLowerCase(
                Locale.ROOT), a.size(), a.permissions(), a.uid(), a.gid(), a.mtime().toInstant(),
                a.gfid() == null ? null : a.gfid().toString());
    }

    public boolean isDirectory() {
        return type.equals("directory");
    }
}
