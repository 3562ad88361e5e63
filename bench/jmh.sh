#!/usr/bin/env bash
# JMH micro-benchmarks of Samsa's storage engines (append and fetch through PartitionLog, both
# engines, 100 B and 1 KiB records, batches of 1 and 100). Builds what it needs, runs JMH and
# writes bench/target/jmh-results.md. See bench/README.md ("Storage engine micro-benchmarks").
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/.." && pwd)"
JMH_DIR="$BENCH_DIR/jmh"
RESULTS="$BENCH_DIR/target/jmh-results.md"
M2="${M2_REPO:-$HOME/.m2/repository}"
COMMAND_LINE="bench/jmh.sh${*:+ $*}"

usage() {
  cat <<USAGE
Usage: bench/jmh.sh [options] [JMH options and benchmark patterns]

Default run: every benchmark, 1 fork, 2 x 1 s warm-up and 5 x 1 s measurement each (about
2-3 minutes). Results: bench/target/jmh-results.md (records/s and MB/s, mmap/filechannel).

Options:
  --long         3 forks, 5 x 2 s warm-up, 10 x 2 s measurement (about 25 minutes)
  --dir DIR      directory for the benchmark logs (default: java.io.tmpdir); an append
                 benchmark may keep up to ~2 GiB there
  --install      run 'mvn -B -q -DskipTests install' at the root first even when the engine
                 jars are already in ~/.m2 (they are always installed when missing)
  -h, --help     this help

Anything else goes to JMH, e.g.
  bench/jmh.sh ReadBenchmark -p engine=mmap -p sink=socket,devnull
  bench/jmh.sh -p recordSize=1024 -f 2 -i 5
  bench/jmh.sh -lp               (list the benchmarks and their parameters)
Parameters: engine (filechannel,mmap), recordSize (100,1024), batchRecords (1,100);
fetch only: sink (socket; devnull), fetchBytes (1048576), logMb (128);
append only: retentionBytes (1073741824).
USAGE
}

JMH_ARGS=()
INSTALL=0
LOG_DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --long) JMH_ARGS+=(-f 3 -wi 5 -w 2s -i 10 -r 2s); shift ;;
    --dir) LOG_DIR="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --install) INSTALL=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) JMH_ARGS+=("$1"); shift ;;
  esac
done

command -v java >/dev/null || { echo "jmh.sh: java not found on PATH" >&2; exit 1; }
command -v mvn >/dev/null || { echo "jmh.sh: mvn not found on PATH" >&2; exit 1; }

missing=0
for a in api storage-filechannel storage-mmap; do
  [ -f "$M2/io/samsa/$a/0.1.0-SNAPSHOT/$a-0.1.0-SNAPSHOT.jar" ] || missing=1
done
if [ "$missing" = 1 ] || [ "$INSTALL" = 1 ]; then
  echo "[jmh] installing Samsa's jars: (cd $ROOT_DIR && mvn -B -q -DskipTests install)" >&2
  (cd "$ROOT_DIR" && mvn -B -q -Dstyle.color=never -DskipTests install)
fi

echo "[jmh] building bench/jmh (mvn -B -q package)" >&2
(cd "$JMH_DIR" && mvn -B -q -Dstyle.color=never package)

mkdir -p "$BENCH_DIR/target"
JAVA_ARGS=(-Xmx256m "-Dsamsa.bench.results=$RESULTS" "-Dsamsa.bench.command=$COMMAND_LINE")
[ -n "$LOG_DIR" ] && JAVA_ARGS+=("-Dsamsa.bench.dir=$LOG_DIR")
cd "$JMH_DIR"
exec java "${JAVA_ARGS[@]}" -cp "target/classes:target/lib/*" io.samsa.bench.jmh.JmhMain "${JMH_ARGS[@]}"
