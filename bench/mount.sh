#!/bin/sh
# Mount benchmark (issue 3): ../shared/bench/fsbench.py against a camelfs FUSE mount of a replica-2 volume (each
# brick in its own node process, loopback) and against a plain local directory, in the same run.
#
#   bench/mount.sh [FSBENCH ARGS...]        e.g. bench/mount.sh --files 2000 --big 256   (needs root)
#   MOUNT_OPTS=md-cache-timeout=1 bench/mount.sh ...   adds mount options (to measure one setting against another)
#
# Both targets get a freshly made ext4 (loop-mounted image on the machine's disk): ext4 slows file creation for
# minutes after mass deletions, so a filesystem with this session's history would measure the history.
# Prints both JSON lines, the ratio per figure, and the mount process's peak RSS. Stops everything it started.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
lib="$root/dist/target/lib"
. "$root/bench/lib.sh"
fsbench="${FSBENCH:-$root/../shared/bench/fsbench.py}"
[ -f "$fsbench" ] || fsbench="$root/bench/fsbench.py"
[ -f "$lib/camelfs-dist-0.1.0-SNAPSHOT.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
work=$(mktemp -d /var/tmp/camelfs-mountbench.XXXXXX)
pids=""
cleanup() {
  set +e
  fusermount -u "$work/mnt" 2>/dev/null
  for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null
  for m in local bricks; do umount "$work/$m" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
freshfs "$work/local" 16G
freshfs "$work/bricks" 16G
p1=$(port); p2=$(port)
for n in 1 2; do
  bench_node $n "$p1" "$p2" "$work/bricks/brick$n" > "$work/node$n.yaml"
  (cd "$work" && exec java -Xmx512m -cp "$lib/*" io.camelfs.cli.Main run "node$n.yaml" > "node$n.log" 2>&1) &
  pids="$pids $!"
done
for n in 1 2; do await_started "$work/node$n.log"; done
mkdir -p "$work/mnt"
"$root/bin/camelfs" mount -o log-file="$work/mount.log"${MOUNT_OPTS:+,$MOUNT_OPTS} "127.0.0.1:$p1:/bench" "$work/mnt"
mpid=$(pgrep -f -- "--foreground.*$work/mnt" | head -1)
echo "camelfs mount benchmark: replica 2 over loopback, $(nproc) cores; fsbench $*"
# warm-up: bricks and mounts are long-running daemons whose hot code is compiled; measured cold, the JIT
# compilers of three fresh JVMs take a third of the two cores (seen with perf), so run the workload first
for i in 1 2 3; do python3 "$fsbench" "$work/mnt" --files 3000 --big 32 > /dev/null; done
local_json=$(python3 "$fsbench" "$work/local" "$@")
mount_json=$(python3 "$fsbench" "$work/mnt" "$@")
rss=$(awk '/VmHWM/ {print $2}' "/proc/$mpid/status")
# Both bricks share this machine's one disk, so replica 2 writes every byte to it twice: fsbench's sequential
# write done by two local writers at once is the most a replica-2 volume on one disk can reach.
big=256; prev=""
for a in "$@"; do [ "$prev" = "--big" ] && big=$a; prev=$a; done
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
echo "local   $local_json"
echo "camelfs $mount_json"
python3 - "$local_json" "$mount_json" "$rss" "$pair_mbps" <<'PY'
import json, sys
l, m, rss, pair = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
print("%-16s %12s %12s %8s" % ("figure", "local", "camelfs", "ratio"))
for k in l:
    print("%-16s %12.1f %12.1f %7.1f%%" % (k, l[k], m[k], 100 * m[k] / l[k]))
print("seq write by two local writers at once (replica 2 on one disk): %.1f MB/s each = %.1f%% of local;"
      " camelfs reached %.1f%% of that" % (pair, 100 * pair / l["seqwrite_MBps"], 100 * m["seqwrite_MBps"] / pair))
print("mount process peak RSS: %.1f MiB" % (rss / 1024))
print(json.dumps({"local": l, "camelfs": m, "two_local_writers_MBps": pair,
                  "mount_peak_rss_mib": round(rss / 1024, 1)}))
PY
if [ -n "${STATS:-}" ]; then
  fusermount -u "$work/mnt"; sleep 1
  for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; pids=""
  echo "== mount callbacks"; sed -n '/callbacks served/,$p' "$work/mount.log"
  echo "== brick 1 operations"; sed -n '/operations served/,/^[0-9]/p' "$work/node1.log" | head -20
fi
