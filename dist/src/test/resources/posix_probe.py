#!/usr/bin/env python3
"""Runs POSIX operations in a directory and prints one line per outcome, so a camelfs mount and a local
directory can be compared line by line. Usage: posix_probe.py DIR"""
import errno, fcntl, mmap, os, socket, stat, sys

base = sys.argv[1]
os.chdir(base)
out = []


def say(label, value):
    out.append("%s: %s" % (label, value))


def attempt(label, fn):
    try:
        r = fn()
        say(label, "ok" if r is None else r)
    except OSError as e:
        say(label, errno.errorcode.get(e.errno, e.errno))


def mode(p):
    st = os.lstat(p)
    return "%s %o" % (stat.filemode(st.st_mode)[0], stat.S_IMODE(st.st_mode))


# open flags
attempt("create O_EXCL", lambda: os.close(os.open("f", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640)))
attempt("create O_EXCL again", lambda: os.close(os.open("f", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640)))
say("mode after create", mode("f"))
with open("f", "wb") as fh:
    fh.write(b"0123456789")
attempt("O_TRUNC", lambda: os.close(os.open("f", os.O_WRONLY | os.O_TRUNC)))
say("size after O_TRUNC", os.stat("f").st_size)
fd = os.open("f", os.O_WRONLY | os.O_APPEND)
os.write(fd, b"abc")
os.write(fd, b"def")
os.close(fd)
say("after appends", open("f", "rb").read())
attempt("open missing", lambda: os.open("missing", os.O_RDONLY))
attempt("open dir for write", lambda: os.open(".", os.O_WRONLY))
attempt("O_DIRECTORY on file", lambda: os.open("f", os.O_RDONLY | os.O_DIRECTORY))

# sparse files, truncate, fallocate
with open("sparse", "wb") as fh:
    fh.seek(10 * 1024 * 1024)
    fh.write(b"end")
st = os.stat("sparse")
say("sparse size", st.st_size)
say("sparse is sparse", st.st_blocks * 512 < 1024 * 1024)
with open("sparse", "rb") as fh:
    fh.seek(5 * 1024 * 1024)
    say("hole reads zeros", fh.read(16) == b"\0" * 16)
os.truncate("sparse", 5)
say("truncate shrink", os.stat("sparse").st_size)
os.truncate("sparse", 100)
say("truncate grow", (os.stat("sparse").st_size, open("sparse", "rb").read()[5:10]))
fd = os.open("alloc", os.O_CREAT | os.O_RDWR, 0o644)
attempt("fallocate", lambda: os.posix_fallocate(fd, 0, 1 << 20))
say("fallocate size", os.fstat(fd).st_size)
say("fallocate blocks", os.fstat(fd).st_blocks * 512 >= 1 << 20)
os.close(fd)

# rename over files and directories
open("r1", "w").write("one")
open("r2", "w").write("two")
attempt("rename over file", lambda: os.rename("r1", "r2"))
say("rename result", (os.path.exists("r1"), open("r2").read()))
os.mkdir("d1")
os.mkdir("d2")
attempt("rename dir over empty dir", lambda: os.rename("d1", "d2"))
os.mkdir("d3")
open("d3/x", "w").write("x")
os.mkdir("d4")
attempt("rename dir over non-empty dir", lambda: os.rename("d4", "d3"))
attempt("rename file over dir", lambda: os.rename("r2", "d3"))
attempt("rename dir over file", lambda: os.rename("d4", "r2"))
attempt("rename dir into itself", lambda: os.rename("d3", "d3/sub"))
attempt("rename missing", lambda: os.rename("nothere", "x"))

# hard links, symlinks, fifos, sockets
open("h", "w").write("hard")
attempt("link", lambda: os.link("h", "h2"))
say("link count", (os.stat("h").st_nlink, os.stat("h2").st_nlink))
say("same inode", os.stat("h").st_ino == os.stat("h2").st_ino)
os.unlink("h")
say("after unlink one", (os.stat("h2").st_nlink, open("h2").read()))
attempt("link to dir", lambda: os.link("d3", "d3link"))
attempt("link exists", lambda: os.link("h2", "f"))
attempt("symlink", lambda: os.symlink("h2", "s"))
say("readlink", os.readlink("s"))
say("symlink mode", mode("s"))
say("read through symlink", open("s").read())
attempt("symlink dangling", lambda: os.symlink("nowhere", "dangle"))
attempt("open dangling", lambda: open("dangle"))
attempt("mkfifo", lambda: os.mkfifo("fifo", 0o600))
say("fifo mode", mode("fifo"))
sk = socket.socket(socket.AF_UNIX)
attempt("bind unix socket", lambda: sk.bind(os.path.join(base, "sock")))
sk.close()
say("socket type", mode("sock")[0])

# chmod, chown, utimensat with nanoseconds
os.chmod("h2", 0o4751)
say("chmod", mode("h2"))
os.chown("h2", 1234, 5678)
st = os.stat("h2")
say("chown", (st.st_uid, st.st_gid))
os.utime("h2", ns=(1_500_000_000_123_456_789, 1_600_000_000_987_654_321))
st = os.stat("h2")
say("utimens ns", (st.st_atime_ns, st.st_mtime_ns))
os.utime("dangle", ns=(1_000_000_001, 2_000_000_002), follow_symlinks=False)
say("lutimes", os.lstat("dangle").st_mtime_ns)

# xattrs
attempt("setxattr", lambda: os.setxattr("h2", "user.k", b"v1"))
say("getxattr", os.getxattr("h2", "user.k"))
attempt("setxattr XATTR_CREATE on existing", lambda: os.setxattr("h2", "user.k", b"v2", os.XATTR_CREATE))
attempt("setxattr XATTR_REPLACE on missing", lambda: os.setxattr("h2", "user.none", b"v", os.XATTR_REPLACE))
say("listxattr", sorted(os.listxattr("h2")))
attempt("getxattr missing", lambda: os.getxattr("h2", "user.none"))
attempt("removexattr", lambda: os.removexattr("h2", "user.k"))
attempt("removexattr missing", lambda: os.removexattr("h2", "user.k"))
attempt("xattr on dir", lambda: os.setxattr("d3", "user.d", b"dir"))
say("dir xattr", os.getxattr("d3", "user.d"))

# errors and limits
attempt("mkdir exists", lambda: os.mkdir("d3"))
attempt("rmdir non-empty", lambda: os.rmdir("d3"))
attempt("unlink dir", lambda: os.unlink("d3"))
attempt("rmdir file", lambda: os.rmdir("h2"))
attempt("mkdir under file", lambda: os.mkdir("h2/x"))
attempt("name 255", lambda: open("n" * 255, "w").close())
attempt("name 256", lambda: open("n" * 256, "w").close())
deep = "/".join(["p" * 200] * 21)
attempt("path over PATH_MAX", lambda: os.makedirs(deep))
attempt("open O_EXCL on symlink", lambda: os.open("s", os.O_CREAT | os.O_EXCL | os.O_WRONLY))

# mmap'd writes
fd = os.open("mm", os.O_CREAT | os.O_RDWR, 0o644)
os.ftruncate(fd, 65536)
m = mmap.mmap(fd, 65536)
m[100:105] = b"mmapd"
m.flush()
m.close()
os.close(fd)
say("mmap write", open("mm", "rb").read()[100:105])

# a mapping and a write-only writer of one file (the mount writes write-only opens around the page cache): each
# sees the other's bytes in the same page, and neither is lost when the mapping's dirty page goes back
fd = os.open("mm", os.O_RDWR)
m = mmap.mmap(fd, 65536)
say("mapping before", m[0:4])
m[0:4] = b"MMMM"
w = os.open("mm", os.O_WRONLY)
os.pwrite(w, b"WWWW", 8)
os.pwrite(w, b"VVVV", 40000)
say("mapping sees write-only writer", (m[8:12], m[40000:40004]))
say("reader sees write-only writer", (os.pread(fd, 4, 8), os.pread(fd, 4, 40000)))
wa = os.open("mm", os.O_WRONLY | os.O_APPEND)
os.write(wa, b"tail")
say("append through write-only", (os.fstat(fd).st_size, os.pread(fd, 4, 65536)))
for f in (w, wa):
    os.close(f)
m.flush()
m.close()
os.close(fd)
d = open("mm", "rb").read()
say("after both", (d[0:4], d[8:12], d[40000:40004], d[100:105], len(d)))

# statfs
sv = os.statvfs(".")
say("statvfs namemax", sv.f_namemax)
say("statvfs has space", sv.f_bavail > 0 and sv.f_blocks > 0)

# listing
say("listdir", sorted(os.listdir(".")))
print("\n".join(out))
