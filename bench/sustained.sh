#!/bin/sh
# Sustained creates: many 4 KiB files in a row through a camelfs FUSE mount (replica 2, each brick in its own node
# process, loopback) and into a plain local directory, in the same run: what an rsync or tar of a large tree meets
# once the mount's caches are full and its collector has work to do (fsbench's 2,000 files per run never get there).
#
#   bench/sustained.sh [FILES] [DIRS]     default 100000 files spread over 100 directories (needs root)
#
# Prints, per target, files/s and the latency of one create (open, write, close: p50, p99, p99.9, max, and how many
# took over 100 ms), then the mount's collections during the camelfs run (count and pause time, from its GC log).
# Stops everything it started.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
lib="$root/dist/target/lib"
. "$root/bench/lib.sh"
files=${1:-100000}; dirs=${2:-100}
[ -f "$lib/camelfs-dist-0.1.0-SNAPSHOT.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
bench_workdir sustained
freshfs "$work/local" 16G
bench_nodes "$lib"
mkdir -p "$work/mnt"
JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -Xlog:gc:file=$work/gc-%p.log" \
  "$root/bin/camelfs" mount -o log-file="$work/mount.log" "127.0.0.1:$p1:/bench" "$work/mnt"
mpid=$(pgrep -f -- "--foreground.*$work/mnt" | head -1)
echo "sustained creates: $files files of 4 KiB in $dirs directories; camelfs replica 2 over loopback, $(nproc) cores"
creates() { # DIR FILES DIRS: one JSON line
  python3 - "$@" <<'PY'
import json, os, sys, time
d, n, nd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for j in range(nd):
    os.makedirs(os.path.join(d, "d%d" % j))
data = os.urandom(4096); lat = []; clock = time.perf_counter
t = clock()
for i in range(n):
    s = clock()
    with open(os.path.join(d, "d%d" % (i % nd), "f%d" % i), "wb") as f:
        f.write(data)
    lat.append(clock() - s)
wall = clock() - t
lat.sort()
print(json.dumps({"files_per_s": round(n / wall), "p50_us": round(lat[n // 2] * 1e6),
                  "p99_us": round(lat[int(n * .99)] * 1e6), "p999_ms": round(lat[int(n * .999)] * 1e3, 1),
                  "max_ms": round(lat[-1] * 1e3, 1), "over_100ms": sum(1 for x in lat if x > 0.1)}))
PY
}
creates "$work/mnt/warm" 3000 20 > /dev/null # the mount's hot code compiled, as in a long-running mount
sync
printf 'local   '; creates "$work/local/run" "$files" "$dirs"
sync
before=$(wc -l < "$work/gc-$mpid.log")
printf 'camelfs '; creates "$work/mnt/run" "$files" "$dirs"
tail -n +"$((before + 1))" "$work/gc-$mpid.log" | awk '
  /Pause Young/ {y++; ys += $NF} /Pause Full/ {f++; fs += $NF}
  END {printf "mount collections during the camelfs run: %d young (%.0f ms paused), %d full (%.0f ms paused)\n",
       y, ys, f, fs}'
