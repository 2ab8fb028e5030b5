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
[ -f "$lib/camelfs-dist-0.1.0-SNAPSHOT.jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
work=$(mktemp -d /var/tmp/camelfs-healbench.XXXXXX)
cleanup() {
  set +e
  pkill -f "$work/node" 2>/dev/null; sleep 0.5
  umount "$work/bricks" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
# ext4 slows file creation for minutes after mass deletions: a new filesystem measures camelfs, not history
truncate -s 16G "$work/bricks.img"; mkfs.ext4 -q -F "$work/bricks.img"; mkdir -p "$work/bricks"
mount -o loop "$work/bricks.img" "$work/bricks"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
p1=$(port); p2=$(port)
for n in 1 2; do
  eval p=\$p$n
  cat > "$work/node$n.yaml" <<YAML
- beans:
    - name: bench
      type: io.camelfs.volume.VolumeDefinition
      properties:
        replica: 2
        bricks: 127.0.0.1:$p1,127.0.0.1:$p2
- route:
    from:
      uri: brick:bench
      parameters:
        directory: $work/bricks/brick$n
        port: $p
        createDirectory: true
      steps:
        - log: "\${body}"
YAML
done
java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$lib/*" "$root/bench/HealBench.java" \
  "$work" "$lib" "$small" "$big" "$info" "$p1" "$p2"
