#!/bin/sh
# Consumer benchmark (issue 6): does the gluster: consumer keep up with the producer benchmark, and does its memory
# stay bounded behind a slow subscriber?
#  1. replica 2 in two node processes on a fresh ext4; node 1 also runs `from: gluster:bench` -> log (groupSize);
#     bench/ProducerBench.java writes FILES x 4 KiB files; prints writes/s and events/s of the same run.
#  2. the same with a subscriber that takes SLOW ms per event: prints how far behind it is and node 1's RSS
#     before and after (the consumer holds at most maxEventsPerPoll events in memory).
#
#   bench/events.sh [FILES] [SLOW_MS]       defaults: 10000, 5          (needs root for the loop mount)
set -eu
files=${1:-10000}
slow=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
lib="$root/dist/target/lib"
. "$root/bench/lib.sh"
[ -f "$lib/camelfs-dist-0.1.0-SNAPSHOT.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
work=$(mktemp -d /var/tmp/camelfs-events.XXXXXX)
pids=""
stop_nodes() {
  for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; pids=""
}
cleanup() {
  set +e
  stop_nodes
  umount "$work/fs" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
freshfs "$work/fs" 8G

run() { # $1: label, $2: extra consumer step (yaml) or empty
  p1=$(port); p2=$(port); d="$work/fs/$1"; mkdir -p "$d/local"
  for n in 1 2; do
    bench_node $n "$p1" "$p2" "$d/brick$n" > "$d/node$n.yaml"
    if [ $n = 1 ]; then
      cat >> "$d/node1.yaml" <<YAML
- route:
    from:
      uri: gluster:bench
      parameters: {events: "create,modify,delete,rename", pollDelay: 50, positionFile: $d/events.position}
      steps:
$2
        - to: log:events?groupSize=1000
YAML
    fi
    (cd "$d" && exec java -Xmx512m -cp "$lib/*" io.camelfs.cli.Main run "node$n.yaml" > "node$n.log" 2>&1) &
    pids="$pids $!"
    eval pid$n=$!
  done
  for n in 1 2; do await_started "$d/node$n.log"; done
  sleep 1
  rss0=$(awk '/VmRSS/ {print $2}' "/proc/$pid1/status")
  start=$(date +%s.%N)
  java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$lib/*" "$root/bench/ProducerBench.java" \
    "127.0.0.1:$p1" bench "$d/local" "$files" 1 | grep '^{' > "$d/producer.json"
  wrote=$(date +%s.%N)
  # events the producer benchmark causes: its warm-up files, directory markers and files, plus their directories
  want=$(python3 -c "import sys; print(int(sys.argv[1]))" "$files")
  i=0
  while :; do
    got=$(grep -o "Received: [0-9]* messages so far" "$d/node1.log" | tail -1 | awk '{print $2}'); got=${got:-0}
    [ "$got" -ge "$want" ] && break
    i=$((i+1)); [ $i -lt 1200 ] || break; sleep 0.25
  done
  done_at=$(date +%s.%N)
  rss1=$(awk '/VmRSS/ {print $2}' "/proc/$pid1/status")
  behind=$(grep -o "Received: [0-9]* messages so far" "$d/node1.log" | tail -1 | awk '{print $2}')
  python3 - "$1" "$start" "$wrote" "$done_at" "$files" "${behind:-0}" "$rss0" "$rss1" "$d/producer.json" <<'PY'
import json, sys
label, start, wrote, done, files, got, rss0, rss1, pj = sys.argv[1:]
start, wrote, done, files, got = float(start), float(wrote), float(done), int(files), int(got)
p = json.loads(open(pj).read().strip().splitlines()[-1])
print(f"{label}: producer {p['camelfs_files_per_s']:.0f} writes/s (its own timing); consumer delivered {got} events, "
      f"the last {done - wrote:.1f} s after the producer finished ({got / (done - start):.0f} events/s over the whole"
      f" run); node 1 RSS {int(rss0)//1024} -> {int(rss1)//1024} MiB")
print(json.dumps({"run": label, "writes_per_s": p["camelfs_files_per_s"], "events": got,
                  "events_per_s_whole_run": round(got / (done - start)), "lag_after_writes_s": round(done - wrote, 1),
                  "rss_before_mib": int(rss0)//1024, "rss_after_mib": int(rss1)//1024}))
PY
  stop_nodes
}

echo "camelfs consumer benchmark: $files x 4 KiB files through the producer, replica 2, $(nproc) cores"
run fast ""
run slow "        - delay: {constant: \"$slow\"}"
