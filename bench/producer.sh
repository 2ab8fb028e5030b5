#!/bin/sh
# Producer benchmark (issue 2): 4 KiB files/s through the gluster: producer on a replica-2 volume over loopback,
# each brick in its own node process, next to the same writes into two plain local directories in the same run.
#
#   bench/producer.sh [FILES] [THREADS,...]      defaults: 20000 files, threads 1,4,8
#
# Prints a table and one JSON line per thread count. Bounded: stops its nodes when done (or on error).
set -eu
files=${1:-20000}
threads=${2:-1,4,8}
root=$(cd "$(dirname "$0")/.." && pwd)
lib="$root/dist/target/lib"
. "$root/bench/lib.sh"
[ -f "$lib/camelfs-dist-0.1.0-SNAPSHOT.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
work=$(mktemp -d /var/tmp/camelfs-bench.XXXXXX)
pids=""
cleanup() {
  set +e
  for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null
  umount "$work/fs" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
# bricks and local directories on one freshly made ext4
freshfs "$work/fs" 8G
p1=$(port); p2=$(port)
for n in 1 2; do
  bench_node $n "$p1" "$p2" "$work/fs/brick$n" > "$work/node$n.yaml"
  (cd "$work" && exec java -Xmx512m ${BRICK_JAVA_OPTS:-} -cp "$lib/*" io.camelfs.cli.Main run "node$n.yaml" > "node$n.log" 2>&1) &
  pids="$pids $!"
done
for n in 1 2; do await_started "$work/node$n.log"; done
mkdir -p "$work/fs/local"
echo "camelfs producer benchmark: $files x 4 KiB files per run, replica 2 over loopback, $(nproc) cores"
java -Xmx512m ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$lib/*" "$root/bench/ProducerBench.java" \
  "127.0.0.1:$p1" bench "$work/fs/local" "$files" "$threads"
