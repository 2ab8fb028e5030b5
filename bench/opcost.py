#!/usr/bin/env python3
"""Where one operation's time goes: wall time and CPU time per operation of each process behind a mount.

    bench/opcost.py DIR NAME=PID [NAME=PID ...] [--count N]

Runs one loop per kind of operation in DIR (4 KiB creates, stats, unlinks, mkdirs, 128 KiB writes) and prints,
per operation, the wall time, the CPU time of each named process (from /proc/PID/stat), this script's own CPU
time ("caller": its system time is the kernel's side of every call, FUSE included) and how much of the machine
stayed idle.
bench/mount.sh runs it against the mount and against a local directory when OPCOST=1.
"""
import argparse
import os
import resource
import time

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("procs", nargs="*", help="NAME=PID")
ap.add_argument("--count", type=int, default=2000)
a = ap.parse_args()
procs = [p.split("=", 1) for p in a.procs]
tick = os.sysconf("SC_CLK_TCK")
cores = os.cpu_count()


def snapshot():
    per = []
    for _, pid in procs:
        with open("/proc/%s/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        per.append((int(fields[11]) + int(fields[12])) / tick)  # utime + stime
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:9]]
    me = resource.getrusage(resource.RUSAGE_SELF)
    return per, sum(cpu) / tick, (cpu[3] + cpu[4]) / tick, me.ru_utime + me.ru_stime, time.perf_counter()


def measure(name, n, body):
    before = snapshot()
    body()
    after = snapshot()
    wall = after[4] - before[4]
    cells = ["%-14s %7.0f" % (name, wall / n * 1e6)]
    for i, (pname, _) in enumerate(procs):
        cells.append("%s %5.0f" % (pname, (after[0][i] - before[0][i]) / n * 1e6))
    cells.append("caller %5.0f" % ((after[3] - before[3]) / n * 1e6))
    total = after[1] - before[1]
    cells.append("idle %3.0f%%" % (100 * (after[2] - before[2]) / total if total > 0 else 0))
    print("  ".join(cells))


root = os.path.join(a.dir, "opcost.%d" % os.getpid())
os.makedirs(root)
payload = os.urandom(4096)
names = [os.path.join(root, "f%06d" % i) for i in range(a.count)]
dirs = [os.path.join(root, "d%06d" % i) for i in range(a.count)]


def creates():
    for p in names:
        with open(p, "wb") as f:
            f.write(payload)


def stats():
    for p in names:
        os.stat(p)


def unlinks():
    for p in names:
        os.unlink(p)


def mkdirs():
    for p in dirs:
        os.mkdir(p)


chunk = os.urandom(128 << 10)
pieces = 512  # 64 MiB


def big_write():
    with open(os.path.join(root, "big"), "wb", buffering=0) as f:
        for _ in range(pieces):
            f.write(chunk)


print("%-14s %7s  CPU us per operation of each process; idle share of %d cores" % ("us per op", "wall", cores))
measure("create 4 KiB", a.count, creates)
measure("stat", a.count, stats)
measure("unlink", a.count, unlinks)
measure("mkdir", a.count, mkdirs)
measure("write 128 KiB", pieces, big_write)
for p in dirs:
    os.rmdir(p)
os.unlink(os.path.join(root, "big"))
os.rmdir(root)
