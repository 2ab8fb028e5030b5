# Shared by the benchmark scripts (sourced, POSIX sh): free ports, fresh filesystems, node files, node start-up.

# A free TCP port on loopback.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# freshfs DIR SIZE: a new ext4 on the sparse image DIR.img, loop-mounted at DIR (needs root). ext4 slows file
# creation for minutes after mass deletions: a new filesystem measures camelfs, not this machine's history.
# A loop device copies every block it writes into the image file's page cache, in a kernel thread on this machine's
# cores: a disk does not, and the copying competes with whatever writes (with replica 2, twice as much of it).
# LOOP_DIO=1 puts the device in direct-I/O mode, which writes to the image without that copy.
freshfs() {
  truncate -s "$2" "$1.img"; mkfs.ext4 -q -F "$1.img"; mkdir -p "$1"
  mount -o loop "$1.img" "$1"
  if [ -n "${LOOP_DIO:-}" ]; then
    losetup --direct-io=on "$(findmnt -n -o SOURCE "$1")"
  fi
}

# bench_node N P1 P2 BRICKDIR: the YAML of node N of volume "bench" (replica 2, bricks on 127.0.0.1:P1 and
# 127.0.0.1:P2), serving brick N from BRICKDIR. CPU_LATENCY=US|off sets the brick's cpuLatency (default: the brick's);
# VOLUME_OPTIONS=NAME=VALUE,... sets volume options (e.g. local-socket=off).
bench_node() {
  if [ "$1" = 1 ]; then bp=$2; else bp=$3; fi
  opts=""
  if [ -n "${VOLUME_OPTIONS:-}" ]; then
    opts="
        options:"
    for kv in $(echo "$VOLUME_OPTIONS" | tr ',' ' '); do opts="$opts
          ${kv%%=*}: \"${kv#*=}\""; done
  fi
  cat <<YAML
- beans:
    - name: bench
      type: io.camelfs.volume.VolumeDefinition
      properties:
        replica: 2
        bricks: 127.0.0.1:$2,127.0.0.1:$3$opts
- route:
    from:
      uri: brick:bench
      parameters:
        directory: $4
        port: $bp
        createDirectory: true${CPU_LATENCY:+
        cpuLatency: \"$CPU_LATENCY\"}
      steps:
        - log: "\${body}"
YAML
}

# await_started LOG [SECONDS]: waits until the node logging to LOG has started (default 30 s); else prints its log
# and exits.
await_started() {
  tries=$(( ${2:-30} * 10 )); i=0
  until grep -q "camelfs node started" "$1" 2>/dev/null; do
    i=$((i+1)); [ $i -lt "$tries" ] || { echo "node did not start ($1):"; cat "$1"; exit 1; }; sleep 0.1
  done
}

# bench_workdir NAME: a new work directory in $work for this run, and a trap that, when the script ends, unmounts
# $work/mnt, stops the processes in $pids, unmounts $work/local and $work/bricks, and removes the directory.
bench_workdir() {
  work=$(mktemp -d "/var/tmp/camelfs-$1.XXXXXX")
  pids=""
  trap bench_cleanup EXIT INT TERM
}

bench_cleanup() {
  set +e
  fusermount -u "$work/mnt" 2>/dev/null
  for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null
  for m in local bricks; do umount "$work/$m" 2>/dev/null; done
  rm -rf "$work"
}

# bench_nodes LIB [JAVA OPTIONS]: the two nodes of volume "bench", each in its own JVM with the jars in LIB, bricks on
# a fresh filesystem at $work/bricks; sets p1 and p2 (their ports), adds their pids to $pids, returns once started.
bench_nodes() {
  freshfs "$work/bricks" 16G
  p1=$(port); p2=$(port)
  for n in 1 2; do
    bench_node $n "$p1" "$p2" "$work/bricks/brick$n" > "$work/node$n.yaml"
    (cd "$work" && exec java -Xmx512m ${2:-} -cp "$1/*" io.camelfs.cli.Main run "node$n.yaml" > "node$n.log" 2>&1) &
    pids="$pids $!"
  done
  for n in 1 2; do await_started "$work/node$n.log"; done
}
