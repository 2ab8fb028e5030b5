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
# bricks and local directories on one freshly made ext4
bench_workdir bench
bench_nodes "$lib" "${BRICK_JAVA_OPTS:-}"
mkdir -p "$work/bricks/local"
echo "camelfs producer benchmark: $files x 4 KiB files per run, replica 2 over loopback, $(nproc) cores"
java -Xmx512m ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$lib/*" "$root/bench/ProducerBench.java" \
  "127.0.0.1:$p1" bench "$work/bricks/local" "$files" "$threads"
