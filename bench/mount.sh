#!/bin/sh
# Mount benchmark (issue 3): ../shared/bench/fsbench.py against a camelfs FUSE mount of a replica-2 volume (each
# brick in its own node process, loopback) and against a plain local directory, in the same run.
#
#   bench/mount.sh [FSBENCH ARGS...]        e.g. bench/mount.sh --files 2000 --big 256   (needs root)
#   MOUNT_OPTS=md-cache-timeout=1 bench/mount.sh ...   adds mount options (to measure one setting against another)
#   CPU_LATENCY=off bench/mount.sh ...   mount and bricks ask for no CPU wake-up latency (PM QoS); default: they do
#   VOLUME_OPTIONS=local-socket=off bench/mount.sh ...   volume options for the bench volume (NAME=VALUE,...)
#   OPCOST=1 bench/mount.sh ...   then prints one operation's wall and CPU time per process (bench/opcost.py)
#   STATS=1 bench/mount.sh ...    then prints the mount's and a brick's time per callback and operation
#   UPCALLS=1 bench/mount.sh ...  then one more camelfs run under the kernel's fuse tracepoints (bench/upcalls.py)
#   ROUNDS=5 bench/mount.sh ...   runs of each target (default 3); figures are the median, camelfs's range shown
#   LOOP_DIO=1 bench/mount.sh ... both filesystems' loop devices in direct-I/O mode (see bench/lib.sh freshfs)
#   DROP_CACHES=0 bench/mount.sh ... runs start on whatever page cache the last run left (default: emptied, below)
#   WARM_MKDIRS=0 bench/mount.sh ...   no mkdir warm-up beyond fsbench's own (default 4000: see below)
#   NODE_JAVA_OPTS="-Xss512k -XX:TieredStopAtLevel=1" bench/mount.sh ...   the nodes' JVMs as bin/camelfs run starts
#     them (C1 only); by default they get the JVM's own compilers
#
# Both targets get a freshly made ext4 (loop-mounted image on the machine's disk): ext4 slows file creation for
# minutes after mass deletions, so a filesystem with this session's history would measure the history.
# Prints every run's JSON line, the median and ratio per figure, and the mount process's peak RSS. Stops everything
# it started.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
lib="$root/dist/target/lib"
. "$root/bench/lib.sh"
fsbench="${FSBENCH:-$root/../shared/bench/fsbench.py}"
[ -f "$fsbench" ] || fsbench="$root/bench/fsbench.py"
[ -f "$lib/camelfs-dist-0.1.0-SNAPSHOT.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
bench_workdir mountbench
freshfs "$work/local" 16G
bench_nodes "$lib" "${NODE_JAVA_OPTS:-}"
mkdir -p "$work/mnt"
# a GC log per JVM (the launcher's and the mount's) tells whether a high peak RSS was the Java heap growing
JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -Xlog:gc:file=$work/gc-%p.log" \
  "$root/bin/camelfs" mount -o log-file="$work/mount.log"${CPU_LATENCY:+,cpu-latency=$CPU_LATENCY}${MOUNT_OPTS:+,$MOUNT_OPTS} \
  "127.0.0.1:$p1:/bench" "$work/mnt"
mpid=$(pgrep -f -- "--foreground.*$work/mnt" | head -1)
loops=buffered; [ -z "${LOOP_DIO:-}" ] || loops=direct-I/O
echo "camelfs mount benchmark: replica 2 over loopback, $(nproc) cores, $loops loop devices; fsbench $*"
# warm-up: bricks and mounts are long-running daemons whose hot code is compiled; measured cold, the JIT
# compilers of three fresh JVMs take a third of the two cores (seen with perf), so run the workload first
for i in 1 2 3; do python3 "$fsbench" "$work/mnt" --files 3000 --big 32 > /dev/null; done
# fsbench makes only 20 directories a run, so after those three runs the mkdir path has run 60 times and is still
# interpreted (the JIT compiles a method after a few thousand calls): the mkdir figure would time the JIT's warm-up,
# not a long-running mount. WARM_MKDIRS more mkdirs (and the rmdirs removing them) compile it; 0 measures it cold.
python3 - "$work/mnt/warm-mkdirs" "${WARM_MKDIRS:-4000}" <<'PY'
import os, shutil, sys
root, n = sys.argv[1], int(sys.argv[2])
for r in range(2):
    os.makedirs(root)
    for i in range(n // 2): # fsbench's 20 directories, then directories inside them
        os.mkdir(os.path.join(root, "d%02d" % i) if i < 20 else os.path.join(root, "d%02d" % (i % 20), "e%d" % i))
    shutil.rmtree(root)
PY
# CPU time of each process during the camelfs runs, and the machine's idle time: on two cores the chain of
# processes behind one operation (fsbench, the kernel, the mount, two bricks) is what a figure is made of
cpu_ticks() {
  for p in $pids $mpid; do awk '{printf "%d ", $14 + $15}' "/proc/$p/stat"; done
  awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat # machine total, idle (with iowait)
}
# one fsbench run is one sample (its mkdir figure times 20 calls): ROUNDS pairs of runs, local and camelfs
# alternating, and the median of each figure
: > "$work/local.jsonl"; : > "$work/mount.jsonl"; : > "$work/cpu.txt"
# Each run starts with nothing dirty: a run's data reaches the disk image files through the page cache of the
# filesystem holding them, and flushing it took place during the next run (the camelfs run leaves twice as much).
# On this VM the memory a run gets for its page cache is cheap when the guest freed it recently and costly once
# the balloon has handed it back to the host, and a large write spends most of its time getting it: the same local
# run wrote 1,100-1,450 MB/s or 370-550 depending on which runs came before. Emptying the page cache before each
# run starts local and camelfs runs alike on recently freed memory, as on a machine without a balloon.
settle() {
  sync
  [ "${DROP_CACHES:-1}" = 0 ] || echo 1 > /proc/sys/vm/drop_caches
}
for r in $(seq "${ROUNDS:-3}"); do
  settle
  python3 "$fsbench" "$work/local" "$@" >> "$work/local.jsonl"
  settle
  cpu_ticks >> "$work/cpu.txt"
  python3 "$fsbench" "$work/mnt" "$@" >> "$work/mount.jsonl"
  cpu_ticks >> "$work/cpu.txt"
done
rss=$(awk '/VmHWM/ {print $2}' "/proc/$mpid/status")
heap=$(grep -o '([0-9]*M)' "$work/gc-$mpid.log" 2>/dev/null | tr -d '()M' | sort -n | tail -1)
# Both bricks share this machine's one disk, so replica 2 writes every byte to it twice: fsbench's sequential
# write done by two local writers at once is the most a replica-2 volume on one disk can reach.
big=256; prev=""
for a in "$@"; do [ "$prev" = "--big" ] && big=$a; prev=$a; done
settle
pair_mbps=$(python3 - "$work/local" "$big" <<'PY'
import os, sys, threading, time
d, mib = sys.argv[1], int(sys.argv[2])
chunk = os.urandom(1 << 20)
def write(p):
    with open(p, "wb") as f:
        for _ in range(mib):
            f.write(chunk)
        f.flush(); os.fsync(f.fileno())
t = time.perf_counter()
ws = [threading.Thread(target=write, args=(os.path.join(d, "pair%d.bin" % i),)) for i in (1, 2)]
for w in ws: w.start()
for w in ws: w.join()
print(round(mib / (time.perf_counter() - t), 1))
for i in (1, 2): os.unlink(os.path.join(d, "pair%d.bin" % i))
PY
)
sed 's/^/local   /' "$work/local.jsonl"
sed 's/^/camelfs /' "$work/mount.jsonl"
python3 - "$work" "$rss" "$pair_mbps" "$(getconf CLK_TCK)" "${heap:-0}" <<'PY'
import json, os, statistics, sys
work, rss, pair, tick, heap = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
runs = {t: [json.loads(x) for x in open(os.path.join(work, t + ".jsonl"))] for t in ("local", "mount")}
med = {t: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for t, rs in runs.items()}
l, m = med["local"], med["mount"]
# cpu.txt: ticks before and after each camelfs run -- brick 1, brick 2, mount, machine total, machine idle
ticks = [[int(x) for x in line.split()] for line in open(os.path.join(work, "cpu.txt"))]
d = [sum(after[i] - before[i] for before, after in zip(ticks[0::2], ticks[1::2])) / tick / len(runs["mount"])
     for i in range(5)]
busy = d[3] - d[4]
cpu = {"brick1": d[0], "brick2": d[1], "mount": d[2], "else": busy - sum(d[:3])}
print("median of %d runs each:" % len(runs["mount"]))
print("%-16s %12s %12s %8s   %s" % ("figure", "local", "camelfs", "ratio", "camelfs min-max"))
for k in l:
    lo, hi = min(r[k] for r in runs["mount"]), max(r[k] for r in runs["mount"])
    print("%-16s %12.1f %12.1f %7.1f%%   %.1f-%.1f" % (k, l[k], m[k], 100 * m[k] / l[k], lo, hi))
print("seq write by two local writers at once (replica 2 on one disk): %.1f MB/s each = %.1f%% of local;"
      " camelfs reached %.1f%% of that" % (pair, 100 * pair / l["seqwrite_MBps"], 100 * m["seqwrite_MBps"] / pair))
print("mount process peak RSS: %.1f MiB; its Java heap at most %d MiB committed (GC log)" % (rss / 1024, heap))
print("CPU seconds per camelfs run (%d cores, %.1f s): brick 1 %.1f, brick 2 %.1f, mount %.1f, everything else"
      " (fsbench, the kernel's loop-device and journal threads) %.1f; idle %.0f%%" % (os.cpu_count(),
      d[3] / os.cpu_count(), cpu["brick1"], cpu["brick2"], cpu["mount"], cpu["else"], 100 * d[4] / d[3]))
print(json.dumps({"local": l, "camelfs": m, "runs": len(runs["mount"]), "two_local_writers_MBps": pair,
                  "mount_peak_rss_mib": round(rss / 1024, 1), "mount_heap_max_mib": heap,
                  "cpu_s": {k: round(v, 2) for k, v in cpu.items()}}))
PY
if [ -n "${UPCALLS:-}" ]; then
  echo "== FUSE upcalls of one camelfs fsbench run (kernel fuse tracepoints; microseconds)"
  python3 "$root/bench/upcalls.py" --sched -- python3 "$fsbench" "$work/mnt" "$@"
fi
if [ -n "${OPCOST:-}" ]; then
  set -- $pids
  echo "== one operation's cost, local directory"; python3 "$root/bench/opcost.py" "$work/local"
  echo "== one operation's cost, camelfs mount"
  python3 "$root/bench/opcost.py" "$work/mnt" "brick1=$1" "brick2=$2" "mount=$mpid"
fi
if [ -n "${STATS:-}" ]; then
  fusermount -u "$work/mnt"; sleep 1
  for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; pids=""
  echo "== mount callbacks"; sed -n '/callbacks served/,$p' "$work/mount.log"
  echo "== brick 1 operations"; sed -n '/operations served/,/^[0-9]/p' "$work/node1.log" | head -20
fi
