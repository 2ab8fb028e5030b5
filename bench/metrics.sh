#!/bin/sh
# Metrics cost (issue 5), two figures:
#  1. the producer benchmark (bench/producer.sh) with statistics recording on and off (-Dcamelfs.stats=off in the
#     brick nodes and the producer), alternated ROUNDS times; prints the medians and the overhead;
#  2. the time a scrape of /metrics takes on one node serving 10 volumes (20 bricks) after some writes.
#
#   bench/metrics.sh [FILES] [ROUNDS] [THREADS,...]      defaults: 10000 files, 3 rounds, threads 1,8
set -eu
files=${1:-10000}
rounds=${2:-3}
threads=${3:-1,8}
root=$(cd "$(dirname "$0")/.." && pwd)
lib="$root/dist/target/lib"
. "$root/bench/lib.sh"
[ -f "$lib/camelfs-dist-0.1.0-SNAPSHOT.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
work=$(mktemp -d /var/tmp/camelfs-metrics.XXXXXX)
pid=""
cleanup() {
  set +e
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== producer benchmark, statistics on vs off ($files files, threads $threads, $rounds rounds)"
r=1
while [ $r -le "$rounds" ]; do
  for mode in on off; do
    opts=""; [ $mode = off ] && opts="-Dcamelfs.stats=off"
    BRICK_JAVA_OPTS="$opts" BENCH_JAVA_OPTS="$opts" sh "$root/bench/producer.sh" "$files" "$threads" \
      | grep '^{' | sed "s/^{/{\"stats\":\"$mode\",/" >> "$work/producer.jsonl"
  done
  r=$((r+1))
done
python3 - "$work/producer.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for t in sorted({r["threads"] for r in rows}):
    for mode in ("on", "off"):
        print(f"threads {t}, statistics {mode:3}: " + ", ".join(f'{r["camelfs_files_per_s"]:.0f}' for r in rows
              if r["threads"] == t and r["stats"] == mode) + " files/s")
    on = statistics.median(r["camelfs_files_per_s"] for r in rows if r["threads"] == t and r["stats"] == "on")
    off = statistics.median(r["camelfs_files_per_s"] for r in rows if r["threads"] == t and r["stats"] == "off")
    print(f"threads {t}: {on:8.0f} files/s with metrics, {off:8.0f} without: overhead {100 * (off - on) / off:+.1f}%")
    print(json.dumps({"threads": t, "with_metrics_files_per_s": round(on), "without_files_per_s": round(off),
                      "overhead_pct": round(100 * (off - on) / off, 1)}))
PY

echo "== scrape of one node with 10 volumes (20 bricks)"
mport=$(port)
y="$work/node.yaml"
: > "$y"
v=1
while [ $v -le 10 ]; do
  a=$(port); b=$(port)
  cat >> "$y" <<YAML
- beans:
    - name: vol$v
      type: io.camelfs.volume.VolumeDefinition
      properties:
        replica: 2
        bricks: 127.0.0.1:$a,127.0.0.1:$b
- route:
    from:
      uri: brick:vol$v
      parameters: {directory: $work/b$v-1, port: $a, createDirectory: true}
      steps: [{log: "\${body}"}]
- route:
    from:
      uri: brick:vol$v
      parameters: {directory: $work/b$v-2, port: $b, createDirectory: true}
      steps: [{log: "\${body}"}]
- route:
    from:
      uri: timer:w$v
      parameters: {repeatCount: 50, period: 10, delay: 2000, includeMetadata: true}
      steps:
        - setHeader: {name: CamelFileName, simple: "f\${header.CamelTimerCounter}"}
        - setBody: {simple: "file \${header.CamelTimerCounter}"}
        - to: gluster:vol$v?operation=write
        - setBody: {constant: ""}
        - to: gluster:vol$v?operation=read
YAML
  v=$((v+1))
done
cat >> "$y" <<YAML
- beans:
    - name: monitoring
      type: io.camelfs.exporters.Monitoring
      properties:
        metricsPort: $mport
YAML
(cd "$work" && exec "$root/bin/camelfs" run node.yaml > node.log 2>&1) &
pid=$!
await_started "$work/node.log" 60
sleep 6   # the writers: 50 writes and reads per volume
python3 - "$mport" <<'PY'
import statistics, sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/metrics"
for _ in range(20):
    urllib.request.urlopen(url).read()   # warm up
times, size, series = [], 0, 0
for _ in range(200):
    t = time.perf_counter()
    body = urllib.request.urlopen(url).read()
    times.append((time.perf_counter() - t) * 1000)
    size = len(body)
series = sum(1 for l in body.decode().splitlines() if l and not l.startswith("#"))
times.sort()
print(f"200 scrapes of {series} series ({size // 1024} KiB): p50 {statistics.median(times):.1f} ms, "
      f"p99 {times[197]:.1f} ms, max {times[-1]:.1f} ms (target < 50 ms)")
print('{"scrape_p50_ms":%.1f,"scrape_p99_ms":%.1f,"scrape_max_ms":%.1f,"series":%d}'
      % (statistics.median(times), times[197], times[-1], series))
PY

echo "== what recording one operation costs"
java -XX:TieredStopAtLevel=1 -cp "$lib/*" "$root/bench/OpStatsBench.java"
