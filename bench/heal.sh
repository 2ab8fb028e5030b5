#!/bin/sh
# Heal benchmark (issue 4): replica 2 over loopback, each brick in its own node process on a freshly made ext4.
# With brick 2's node killed: write SMALL x 4 KiB files, then (separately) one BIG MiB file, then change one 4 KiB
# block of it, then create INFO empty files; each time start brick 2 again and time the heal until the bricks are
# identical (verified with rsync --checksum outside the timing). The large file's heal is printed next to a durable
# local copy (dd conv=fsync) of the same file on the same filesystem, made in the same run.
#
#   bench/heal.sh [SMALL] [BIG_MIB] [INFO]        defaults: 1000 256 100000   (needs root for the loop mount)
set -eu
small=${1:-1000}
big=${2:-256}
info=${3:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
lib="$root/dist/target/lib"
. "$root/bench/lib.sh"
[ -f "$lib/camelfs-dist-0.1.0-SNAPSHOT.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
work=$(mktemp -d /var/tmp/camelfs-healbench.XXXXXX)
cleanup() {
  set +e
  pkill -f "$work/node" 2>/dev/null; sleep 0.5
  umount "$work/bricks" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
freshfs "$work/bricks" 16G
p1=$(port); p2=$(port)
for n in 1 2; do
  bench_node $n "$p1" "$p2" "$work/bricks/brick$n" > "$work/node$n.yaml"
done
java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$lib/*" "$root/bench/HealBench.java" \
  "$work" "$lib" "$small" "$big" "$info" "$p1" "$p2"
