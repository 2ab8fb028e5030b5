#!/usr/bin/env python3
"""Which FUSE upcalls a workload makes and what each one costs, from the kernel's own fuse tracepoints.

    bench/upcalls.py [--sched] [--per N] -- COMMAND [ARGS...]

Runs COMMAND with the tracepoints fuse:fuse_request_send and fuse:fuse_request_end enabled (root; tracefs; Linux
6.14 or later has them) and prints, per opcode: how many were sent, how many per operation when --per N says
COMMAND did N operations, and the time from send to reply (mean, median, 90th percentile). With --sched it also
records the scheduler's context switches and splits each upcall's time by how many of the machine's CPUs were
running something meanwhile: on a machine where the caller, the mount and the bricks share few cores, an upcall
that spends most of its time with one CPU busy is a chain of processes waiting on one another.
The trace buffer's size and the events are put back as they were found (events off).
"""
import argparse
import os
import re
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--sched", action="store_true", help="also split each upcall's time by busy CPUs")
ap.add_argument("--per", type=int, default=0, help="operations COMMAND performs, for upcalls per operation")
ap.add_argument("command", nargs=argparse.REMAINDER)
a = ap.parse_args()
cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
if not cmd:
    sys.exit("upcalls.py: no COMMAND given (bench/upcalls.py -- python3 script.py ...)")
tracefs = next((d for d in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing") if os.path.isdir(d + "/events")),
               None)
if tracefs is None or not os.path.isdir(tracefs + "/events/fuse"):
    sys.exit("upcalls.py: no fuse tracepoints here (needs root, tracefs and Linux 6.14 or later)")
events = ["fuse/fuse_request_send", "fuse/fuse_request_end"]
if a.sched:
    events.append("sched/sched_switch")


def put(name, value):
    with open(os.path.join(tracefs, name), "w") as f:
        f.write(value)


with open(os.path.join(tracefs, "buffer_size_kb")) as f:
    buffer_kb = f.read().split()[0]
put("tracing_on", "0")
put("trace", "")
put("buffer_size_kb", "32768")
for e in events:
    put("events/%s/enable" % e, "1")
try:
    put("tracing_on", "1")
    status = subprocess.call(cmd)
    put("tracing_on", "0")
    with open(os.path.join(tracefs, "trace")) as f:
        lines = f.readlines()
finally:
    put("tracing_on", "0")
    for e in events:
        put("events/%s/enable" % e, "0")
    put("trace", "")
    put("buffer_size_kb", buffer_kb)
if status != 0:
    sys.exit("upcalls.py: %s exited with %d" % (cmd[0], status))

line_re = re.compile(r"\s*\S.*?\[(\d+)\]\s+\S+\s+([\d.]+): (\w+): (.*)")
cores = os.cpu_count()
running = {}  # cpu -> whether it runs a task (not the idle task)
open_reqs = {}  # unique -> (opcode name, sent at, [seconds with 0..cores CPUs busy])
done = {}  # opcode name -> [(wall, busy split)]
last = None
lost = any("LOST" in l for l in lines)
for line in lines:
    m = line_re.match(line)
    if not m:
        continue
    cpu, t, kind, rest = int(m.group(1)), float(m.group(2)), m.group(3), m.group(4)
    if a.sched and last is not None and open_reqs:
        busy = sum(1 for c in range(cores) if running.get(c, True))
        for r in open_reqs.values():
            r[2][busy] += t - last
    last = t
    if kind == "sched_switch":
        running[cpu] = "next_pid=0 " not in rest + " "
    elif kind == "fuse_request_send":
        s = re.search(r"req (\d+) opcode \d+ \((\w+)\)", rest)
        if s:
            open_reqs[s.group(1)] = (s.group(2).replace("FUSE_", "").lower(), t, [0.0] * (cores + 1))
    elif kind == "fuse_request_end":
        s = re.search(r"req (\d+)", rest)
        r = open_reqs.pop(s.group(1), None) if s else None
        if r:
            done.setdefault(r[0], []).append((t - r[1], r[2]))


def us(x):
    return "%7.0f" % (x * 1e6)


head = "%-12s %7s %7s %7s %7s %7s" % ("upcall", "count", "per op", "mean", "median", "p90")
if a.sched:
    head += "   " + " ".join("%d-busy" % k for k in range(cores + 1))
print(head + "   (microseconds)")
total = 0.0
for op, rs in sorted(done.items(), key=lambda kv: -len(kv[1])):
    walls = sorted(w for w, _ in rs)
    n = len(walls)
    total += sum(walls)
    row = "%-12s %7d %7s %s %s %s" % (op, n, "%.2f" % (n / a.per) if a.per else "-", us(sum(walls) / n),
                                       us(walls[n // 2]), us(walls[min(n - 1, int(n * 0.9))]))
    if a.sched:
        row += "   " + " ".join("%6.0f" % (sum(b[k] for _, b in rs) / n * 1e6) for k in range(cores + 1))
    print(row)
if a.per:
    print("time inside upcalls per operation: %.0f us" % (total / a.per * 1e6))
if lost:
    print("note: the trace buffer overflowed; counts are low")
