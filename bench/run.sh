#!/usr/bin/env bash
# Samsa vs Apache Kafka 4.4.0 benchmark: one command, both brokers, one after the other, same
# machine, same client tools, same JVM heap. See bench/README.md for what it measures and how to
# read the numbers. Every server binds 127.0.0.1 and every wait has a deadline.
set -uo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/.." && pwd)"
TARGET="$BENCH_DIR/target"
KLIB="$TARGET/kafka-lib"
WORK="$TARGET/work"
RESULTS="$TARGET/results.md"
COMMAND_LINE="bench/run.sh${*:+ $*}"

RECORDS=2000000
WARMUP=""
RECORD_SIZE=100
PARTITIONS=3
HEAP="1g"
TOOL_HEAP="512m"
START_TIMEOUT=120
RUN_TIMEOUT=300
RUN_KAFKA=1
RUN_SAMSA=1
BUILD_SAMSA=1
KEEP=0
KAFKA_PORT=19092
KAFKA_CONTROLLER_PORT=19093
SAMSA_PORT=29092
SAMSA_ZK_PORT=22181
SAMSA_HTTP_PORT=28080
SAMSA_EXTRA_PROPS=()
SAMSA_LAUNCHER="$ROOT_DIR/bin/broker"
ENGINE=both
QUICK=0
LAT_RATE=20000
CONSUME_RUNS=5
LAT_RECORDS=""
BIG_LOG_GB=""
BIG_HEAP=512m
BIG_RECORD_SIZE=1024
SWAPS=""
SWAP_RATE=20000

usage() {
  cat <<EOF
Usage: bench/run.sh [options]

Benchmarks Apache Kafka 4.4.0 (KRaft, single node) and then Samsa (bin/broker) on this machine
with Apache Kafka's ProducerPerformance / ConsumerPerformance, and prints one comparison table
per Samsa storage engine (also written to bench/target/results.md).

Options:
  --records N          records per measured produce run (default 2000000)
  --quick              shorthand for --records 300000 and a 10 s fixed-rate run (~2 minutes
                       with both engines)
  --warmup N           records of the discarded warm-up run before each measured produce run
                       (default: records/10, at least 20000)
  --record-size B      record value size in bytes (default 100)
  --heap SIZE          broker heap, used as -Xms and -Xmx for both brokers (default 1g)
  --start-timeout S    seconds a broker may take to start before the run fails (default 120)
  --run-timeout S      seconds one perf-tool run may take before it is killed (default 300)
  --engine E           Samsa storage engine: filechannel, mmap or both (default both: Samsa
                       runs once per engine, each compared with the same Kafka measurements)
  --latency-rate R     records/s of the fixed-rate acks=all run that measures p99 latency
                       (default 20000)
  --latency-records N  records of that run (default 20 s worth, 10 s with --quick; the first
                       10 % are ProducerPerformance warm-up records, left out of its latencies)
  --consume-runs N     measured ConsumerPerformance runs per broker, each a new group reading
                       everything (default 5); the table shows the median run, the details
                       every run
  --big-log GB         instead of the comparison: the heap check. Samsa alone, with
                       -Xmx512m, gets GB GiB produced into one single-partition topic, then
                       every record consumed; reports peak RSS, live heap and success
                       (bench/target/big-log-results.md). Needs GB+5 GiB free disk.
  --big-log-heap SIZE  -Xmx for the heap check (default 512m)
  --big-log-record-size B  record size for the heap check (default 1024)
  --swap N             instead of the comparison: the storage hot-swap stall. Samsa alone
                       with both engines; an idempotent acks=all producer at a fixed rate
                       runs once without swaps and once while the engine is swapped N times
                       through the hot-deploy folder; reports the worst send-to-ack latency
                       of each run (bench/target/swap-results.md)
  --swap-rate R        records/s of the swap runs (default 20000)
  --kafka-only         benchmark only Apache Kafka (Samsa column shows n/a)
  --samsa-only         benchmark only Samsa
  --no-build           use runtime/target/samsa as it is (no bin/ensure-built.sh, no Maven build)
  --samsa-prop K=V     extra line for Samsa's server.properties (repeatable)
  --samsa-launcher F   Samsa launcher to run as 'F server.properties' (default bin/broker)
  --kafka-port P       Kafka client port (default 19092; controller uses the next free port)
  --samsa-port P       Samsa client port (default 29092)
  --samsa-zk-port P    Samsa embedded ZooKeeper port (default 22181; web console from 28080)
  --keep               keep bench/target/work (broker logs and data) after the run
  -h, --help           this help
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS="$2"; shift 2 ;;
    --quick) RECORDS=300000; QUICK=1; shift ;;
    --engine) ENGINE="$2"; shift 2 ;;
    --latency-rate) LAT_RATE="$2"; shift 2 ;;
    --latency-records) LAT_RECORDS="$2"; shift 2 ;;
    --consume-runs) CONSUME_RUNS="$2"; shift 2 ;;
    --big-log) BIG_LOG_GB="$2"; shift 2 ;;
    --big-log-heap) BIG_HEAP="$2"; shift 2 ;;
    --big-log-record-size) BIG_RECORD_SIZE="$2"; shift 2 ;;
    --swap) SWAPS="$2"; shift 2 ;;
    --swap-rate) SWAP_RATE="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --record-size) RECORD_SIZE="$2"; shift 2 ;;
    --heap) HEAP="$2"; shift 2 ;;
    --start-timeout) START_TIMEOUT="$2"; shift 2 ;;
    --run-timeout) RUN_TIMEOUT="$2"; shift 2 ;;
    --kafka-only) RUN_SAMSA=0; shift ;;
    --samsa-only) RUN_KAFKA=0; shift ;;
    --no-build) BUILD_SAMSA=0; shift ;;
    --samsa-prop) SAMSA_EXTRA_PROPS+=("$2"); shift 2 ;;
    --samsa-launcher) SAMSA_LAUNCHER="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --kafka-port) KAFKA_PORT="$2"; shift 2 ;;
    --samsa-port) SAMSA_PORT="$2"; shift 2 ;;
    --samsa-zk-port) SAMSA_ZK_PORT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in RECORDS RECORD_SIZE START_TIMEOUT RUN_TIMEOUT KAFKA_PORT SAMSA_PORT SAMSA_ZK_PORT LAT_RATE BIG_RECORD_SIZE CONSUME_RUNS SWAP_RATE; do
  [[ "${!n}" =~ ^[0-9]+$ ]] || { echo "run.sh: ${n,,} must be a number, got '${!n}'" >&2; exit 2; }
done
[ "$CONSUME_RUNS" -ge 1 ] || { echo "run.sh: --consume-runs must be at least 1" >&2; exit 2; }
if [ -z "$WARMUP" ]; then WARMUP=$(( RECORDS / 10 )); [ "$WARMUP" -lt 20000 ] && WARMUP=20000; fi
[[ "$WARMUP" =~ ^[0-9]+$ ]] || { echo "run.sh: --warmup must be a number" >&2; exit 2; }
HEAP_OPTS="-Xms$HEAP -Xmx$HEAP"
case "$ENGINE" in
  filechannel|mmap) ENGINES=("$ENGINE") ;;
  both) ENGINES=(filechannel mmap) ;;
  *) echo "run.sh: --engine must be filechannel, mmap or both, got '$ENGINE'" >&2; exit 2 ;;
esac
if [ -z "$LAT_RECORDS" ]; then
  if [ "$QUICK" = 1 ]; then LAT_RECORDS=$(( LAT_RATE * 10 )); else LAT_RECORDS=$(( LAT_RATE * 20 )); fi
fi
[[ "$LAT_RECORDS" =~ ^[0-9]+$ ]] && [ "$LAT_RECORDS" -ge 10 ] || { echo "run.sh: --latency-records must be a number >= 10" >&2; exit 2; }
LAT_WARMUP=$(( LAT_RECORDS / 10 ))
if [ -n "$SWAPS" ]; then
  [[ "$SWAPS" =~ ^[0-9]+$ ]] && [ "$SWAPS" -ge 1 ] || { echo "run.sh: --swap must be a number of swaps >= 1, got '$SWAPS'" >&2; exit 2; }
  RUN_KAFKA=0
fi
if [ -n "$BIG_LOG_GB" ]; then
  [[ "$BIG_LOG_GB" =~ ^[0-9]+$ ]] && [ "$BIG_LOG_GB" -ge 1 ] || { echo "run.sh: --big-log must be a whole number of GiB >= 1, got '$BIG_LOG_GB'" >&2; exit 2; }
  RUN_KAFKA=0
fi

# ---------------------------------------------------------------- helpers

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

STARTED_PIDS=()      # process-group leaders we launched (brokers, samplers)
CURRENT_BROKER=""    # name of the broker being benchmarked, for error messages
CURRENT_LOGS=()      # its log files, tailed on failure

die() {
  echo >&2
  echo "BENCH FAILED${CURRENT_BROKER:+ ($CURRENT_BROKER)}: $*" >&2
  local f
  for f in "${CURRENT_LOGS[@]:-}"; do
    [ -n "$f" ] && [ -s "$f" ] || continue
    echo "---- last 40 lines of $f ----" >&2
    tail -n 40 "$f" >&2
    echo "----" >&2
  done
  exit 1
}

forget_pid() {
  local keep=() p
  for p in "${STARTED_PIDS[@]:-}"; do [ -n "$p" ] && [ "$p" != "$1" ] && keep+=("$p"); done
  STARTED_PIDS=("${keep[@]:-}")
}

# Stops a process group we started (its leader's pid): TERM, up to 30 s grace, then KILL.
stop_group() {
  local pid="$1" i
  forget_pid "$pid"
  alive "$pid" || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 60); do alive "$pid" || return 0; sleep 0.5; done
  log "pid $pid did not stop within 30 s, killing it"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
}

# True while the process or any member of the process group it leads is alive: a launcher script
# may exit on TERM before the JVM it started has finished shutting down.
alive() { kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null; }

cleanup() {
  local rc=$? p
  for p in "${STARTED_PIDS[@]:-}"; do [ -n "$p" ] && stop_group "$p"; done
  if [ "$KEEP" = 0 ] && [ -d "$WORK" ]; then rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# First port >= $1 nobody listens on.
free_port() {
  local p="$1" i
  for i in $(seq 0 99); do
    if ! port_open $((p + i)) && ! ss -Hltn "sport = :$((p + i))" 2>/dev/null | grep -q .; then
      echo $((p + i)); return 0
    fi
  done
  die "no free port found in $p..$((p + 99))"
}

# Descendants of a pid (including itself), breadth first.
descendants() {
  local queue=("$1") out=() p kids
  while [ ${#queue[@]} -gt 0 ]; do
    p="${queue[0]}"; queue=("${queue[@]:1}"); out+=("$p")
    read -ra kids <<<"$(ps -o pid= --ppid "$p" 2>/dev/null | tr '\n' ' ')"
    queue+=("${kids[@]}")
  done
  echo "${out[@]}"
}

# The JVM serving $2 among the processes we launched as $1: the listener's owner if ss can tell,
# else the first java descendant.
broker_jvm_pid() {
  local root="$1" port="$2" p
  p=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  if [ -n "$p" ] && [[ " $(descendants "$root") " == *" $p "* ]]; then echo "$p"; return; fi
  for p in $(descendants "$root"); do
    [ "$(cat /proc/$p/comm 2>/dev/null)" = java ] && { echo "$p"; return; }
  done
  echo "$root"
}

# Waits until 127.0.0.1:$port accepts connections; fails fast if the process dies.
wait_port() {
  local pid="$1" port="$2" deadline=$(( SECONDS + START_TIMEOUT ))
  while ! port_open "$port"; do
    kill -0 "$pid" 2>/dev/null || die "broker process $pid exited before listening on 127.0.0.1:$port"
    [ $SECONDS -ge $deadline ] && die "broker did not listen on 127.0.0.1:$port within ${START_TIMEOUT}s"
    sleep 0.5
  done
}

# Runs a Kafka tool class with the bench classpath, bounded by $RUN_TIMEOUT.
# While a broker is under test (BROKER_JVM set) the tool is stopped as soon as that broker dies,
# instead of retrying until the client's own timeouts expire. Exit 98 means: broker died.
BROKER_JVM=""
tool() {
  local t="$1" tpid rc; shift
  timeout --kill-after=10 "$t" java "-Xmx$TOOL_HEAP" -cp "$KLIB/*" \
    "-Dlog4j2.configurationFile=$BENCH_DIR/conf/tools-log4j2.properties" "$@" &
  tpid=$!
  while kill -0 "$tpid" 2>/dev/null; do
    if [ -n "$BROKER_JVM" ] && ! kill -0 "$BROKER_JVM" 2>/dev/null; then
      kill "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null
      echo "the broker JVM (pid $BROKER_JVM) died while $1 ran" >&2
      return 98
    fi
    sleep 0.2
  done
  wait "$tpid"; rc=$?
  return $rc
}

# Waits until the broker answers a metadata request (list topics) or the deadline passes.
wait_ready() {
  local pid="$1" bootstrap="$2" deadline=$(( SECONDS + START_TIMEOUT )) out
  while true; do
    kill -0 "$pid" 2>/dev/null || die "broker process $pid exited during start-up"
    if out=$(tool 30 org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --list 2>&1); then
      return 0
    fi
    [ $SECONDS -ge $deadline ] && die "broker at $bootstrap did not answer 'kafka-topics --list' within ${START_TIMEOUT}s: $(echo "$out" | tail -3)"
    sleep 1
  done
}

start_rss_sampler() {
  local pid="$1" file="$2"
  : > "$file"
  ( while kill -0 "$pid" 2>/dev/null; do
      awk '/^VmRSS:/{print $2}' "/proc/$pid/status" 2>/dev/null >> "$file"
      sleep 1
    done ) &
  RSS_SAMPLER=$!
  STARTED_PIDS+=("$RSS_SAMPLER")
}

stop_rss_sampler() {
  kill "$RSS_SAMPLER" 2>/dev/null; wait "$RSS_SAMPLER" 2>/dev/null
  forget_pid "$RSS_SAMPLER"
}

declare -A R   # results: R[<broker>.<metric>]

# ---------------------------------------------------------------- one benchmark pass

# Produce run: prints the tool's summary line; $5 = "discard" for a warm-up.
produce() {
  local name="$1" bootstrap="$2" topic="$3" acks="$4" kind="$5" count out line
  count=$RECORDS; [ "$kind" = discard ] && count=$WARMUP
  log "$name: produce $count x ${RECORD_SIZE}B to $topic acks=$acks${kind:+ ($kind)}"
  out=$(tool "$RUN_TIMEOUT" org.apache.kafka.tools.ProducerPerformance \
        --bootstrap-server "$bootstrap" --topic "$topic" --num-records "$count" \
        --record-size "$RECORD_SIZE" --throughput -1 \
        --command-property "acks=$acks" "client.id=bench-$acks" 2>"$WORK/$name-produce-$acks-$kind.err")
  local rc=$?
  echo "$out" > "$WORK/$name-produce-$acks-$kind.out"
  [ $rc -eq 98 ] && die "broker died during ProducerPerformance ($topic acks=$acks)"
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && die "ProducerPerformance ($topic acks=$acks) did not finish within ${RUN_TIMEOUT}s"
  line=$(echo "$out" | grep -E '^[0-9]+ records sent, ' | tail -1)
  [ $rc -eq 0 ] && [ -n "$line" ] || die "ProducerPerformance ($topic acks=$acks) failed (exit $rc): $(tail -5 "$WORK/$name-produce-$acks-$kind.err")"
  if echo "$out" | grep -q 'Exception\|ERROR'; then
    die "ProducerPerformance ($topic acks=$acks) reported errors: $(echo "$out" | grep -m3 'Exception\|ERROR')"
  fi
  echo "$line"
}

# Fixed-rate run (acks=all, --throughput $LAT_RATE): the latency the storage issue asks about, at a
# load both brokers sustain, instead of the queueing of a full pipe. ProducerPerformance leaves
# its first $LAT_WARMUP records (connection, metadata, JIT) out of the "steady state" summary.
produce_fixed() {
  local name="$1" bootstrap="$2" out line rc
  log "$name: produce $LAT_RECORDS x ${RECORD_SIZE}B to bench-fixedrate acks=all at $LAT_RATE records/s"
  out=$(tool "$RUN_TIMEOUT" org.apache.kafka.tools.ProducerPerformance \
        --bootstrap-server "$bootstrap" --topic bench-fixedrate --num-records "$LAT_RECORDS" \
        --warmup-records "$LAT_WARMUP" --record-size "$RECORD_SIZE" --throughput "$LAT_RATE" \
        --command-property acks=all client.id=bench-fixedrate 2>"$WORK/$name-produce-fixedrate.err")
  rc=$?
  echo "$out" > "$WORK/$name-produce-fixedrate.out"
  [ $rc -eq 98 ] && die "broker died during the fixed-rate ProducerPerformance run"
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && die "fixed-rate ProducerPerformance did not finish within ${RUN_TIMEOUT}s"
  line=$(echo "$out" | grep -E '^[0-9]+ steady state records sent, ' | tail -1)
  [ $rc -eq 0 ] && [ -n "$line" ] || die "fixed-rate ProducerPerformance failed (exit $rc): $(tail -5 "$WORK/$name-produce-fixedrate.err")"
  if echo "$out" | grep -q 'Exception\|ERROR'; then
    die "fixed-rate ProducerPerformance reported errors: $(echo "$out" | grep -m3 'Exception\|ERROR')"
  fi
  echo "$line"
}

# "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, a ms 50th, b ms 95th, c ms 99th, d ms 99.9th."
parse_produce() {
  local name="$1" key="$2" line="$3"
  R[$name.$key.rps]=$(echo "$line" | sed -E 's/.* records sent, ([0-9.]+) records\/sec.*/\1/')
  R[$name.$key.mbs]=$(echo "$line" | sed -E 's/.*records\/sec \(([0-9.]+) MB\/sec\).*/\1/')
  R[$name.$key.p99]=$(echo "$line" | sed -E 's/.* ([0-9.]+) ms 99th.*/\1/')
  R[$name.$key.p50]=$(echo "$line" | sed -E 's/.* ([0-9.]+) ms 50th.*/\1/')
  R[$name.$key.p999]=$(echo "$line" | sed -E 's/.* ([0-9.]+) ms 99.9th.*/\1/')
  R[$name.$key.line]="$line"
}

consume() {
  local name="$1" bootstrap="$2" count="$3" group="$4" out rc
  log "$name: consume $count records from bench-acks1 + bench-acksall (group $group)"
  out=$(tool "$RUN_TIMEOUT" org.apache.kafka.tools.ConsumerPerformance \
        --bootstrap-server "$bootstrap" --include '^bench-acks(1|all)$' --num-records "$count" \
        --group "$group" --timeout 30000 2>"$WORK/$name-consume-$group.err")
  rc=$?
  echo "$out" > "$WORK/$name-consume-$group.out"
  [ $rc -eq 98 ] && die "broker died during ConsumerPerformance"
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && die "ConsumerPerformance did not finish within ${RUN_TIMEOUT}s"
  [ $rc -eq 0 ] || die "ConsumerPerformance failed (exit $rc): $(tail -5 "$WORK/$name-consume-$group.err")"
  echo "$out"
}

# Header "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
# rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec": pick columns by name.
# $4 = the run's number, $5 = the broker JVM's CPU time during the run (clock ticks).
parse_consume() {
  local name="$1" out="$2" expected="$3" run="$4" ticks="$5"
  local hdr data
  hdr=$(echo "$out" | grep -m1 '^start.time')
  data=$(echo "$out" | grep -A1 '^start.time' | tail -1)
  [ -n "$hdr" ] && [ -n "$data" ] || die "cannot parse ConsumerPerformance output: $out"
  col() { awk -F', *' -v h="$hdr" -v want="$1" 'BEGIN{n=split(h,H,/, */); for(i=1;i<=n;i++) if(H[i]==want) c=i} {print $c}' <<<"$data"; }
  local k="$name.consume.$run"
  R[$k.count]=$(col data.consumed.in.nMsg)
  R[$k.mbs]=$(col fetch.MB.sec)
  R[$k.rps]=$(col fetch.nMsg.sec)
  R[$k.mbs_total]=$(col MB.sec)
  R[$k.join_ms]=$(col rebalance.time.ms)
  R[$k.cpu]=$(awk -v t="$ticks" -v hz="$CLK_TCK" 'BEGIN{printf "%.2f", t/hz}')
  R[$k.line]="$data"
  if [ "${R[$k.count]}" != "$expected" ]; then
    die "ConsumerPerformance read ${R[$k.count]} records, expected $expected: $(echo "$out" | grep -i warn | head -2)"
  fi
}

# The median of the measured consume runs (the lower middle one for an even count) stands for
# the broker in the table: on a shared 2-core machine one short run moves by tens of percent.
pick_consume_median() {
  local name="$1" i m f
  m=$(for i in $(seq 1 "$CONSUME_RUNS"); do echo "${R[$name.consume.$i.rps]} $i"; done \
      | sort -g | awk -v n="$CONSUME_RUNS" 'NR==int((n+1)/2){print $2}')
  for f in count mbs rps mbs_total join_ms line; do R[$name.consume.$f]="${R[$name.consume.$m.$f]}"; done
  R[$name.consume.cpu]=$(for i in $(seq 1 "$CONSUME_RUNS"); do echo "${R[$name.consume.$i.cpu]}"; done \
      | sort -g | awk -v n="$CONSUME_RUNS" 'NR==int((n+1)/2)')
  R[$name.consume.median_run]=$m
}

# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# One broker's whole run. Brokers run one at a time: an idle Kafka left up after its run was
# seen to cut Samsa's produce throughput by a quarter, with a few percent of a core.
bench_broker() {
  local name="$1" pid="$2" port="$3" bootstrap="127.0.0.1:$3" jvm out line
  jvm=$(broker_jvm_pid "$pid" "$port")
  BROKER_JVM="$jvm"
  R[$name.cmdline]=$(tr '\0' ' ' < "/proc/$jvm/cmdline" 2>/dev/null)
  if [[ " ${R[$name.cmdline]} " != *" -Xmx$HEAP "* ]]; then
    log "WARNING: $name's JVM does not run with -Xmx$HEAP: ${R[$name.cmdline]}"
    R[$name.heap_warning]=1
  fi
  start_rss_sampler "$jvm" "$WORK/$name-rss.kb"
  log "$name: broker JVM pid $jvm, sampling VmRSS every second"

  local t
  for t in bench-acks1 bench-acksall bench-fixedrate; do
    out=$(tool 60 org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create \
          --topic "$t" --partitions "$PARTITIONS" --replication-factor 1 2>&1) \
      || die "could not create topic $t: $(echo "$out" | tail -3)"
  done
  out=$(tool 60 org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --describe --topic bench-acks1 2>&1) \
    || die "could not describe topic bench-acks1: $(echo "$out" | tail -3)"
  [ "$(echo "$out" | grep -c 'Partition: ')" = "$PARTITIONS" ] \
    || die "topic bench-acks1 should have $PARTITIONS partitions, describe said: $out"

  produce "$name" "$bootstrap" bench-acks1 1 discard >/dev/null || exit 1
  line=$(produce "$name" "$bootstrap" bench-acks1 1 measure) || exit 1
  parse_produce "$name" acks1 "$line"
  produce "$name" "$bootstrap" bench-acksall all discard >/dev/null || exit 1
  line=$(produce "$name" "$bootstrap" bench-acksall all measure) || exit 1
  parse_produce "$name" acksall "$line"
  line=$(produce_fixed "$name" "$bootstrap") || exit 1
  parse_produce "$name" fixed "$line"

  local total=$(( 2 * (WARMUP + RECORDS) )) i t0 t1
  consume "$name" "$bootstrap" "$WARMUP" bench-warmup-$$ >/dev/null || exit 1
  for i in $(seq 1 "$CONSUME_RUNS"); do
    t0=$(cpu_ticks "$jvm")
    out=$(consume "$name" "$bootstrap" "$total" "bench-measure-$$-$i") || exit 1
    t1=$(cpu_ticks "$jvm")
    parse_consume "$name" "$out" "$total" "$i" $(( t1 - t0 ))
  done
  pick_consume_median "$name"

  kill -0 "$jvm" 2>/dev/null || die "broker JVM $jvm died during the benchmark"
  R[$name.hwm]=$(awk '/^VmHWM:/{print $2}' "/proc/$jvm/status" 2>/dev/null)
  stop_rss_sampler
  BROKER_JVM=""
  R[$name.rss]=$(sort -n "$WORK/$name-rss.kb" | tail -1)
  R[$name.rss_samples]=$(wc -l < "$WORK/$name-rss.kb")
}

# ---------------------------------------------------------------- preparation

mkdir -p "$TARGET"
rm -rf "$WORK"; mkdir -p "$WORK"

command -v java >/dev/null || { echo "run.sh: java not found on PATH" >&2; exit 1; }
command -v mvn >/dev/null || { echo "run.sh: mvn not found on PATH" >&2; exit 1; }

if [ "$RUN_SAMSA" = 1 ]; then
  [ -x "$SAMSA_LAUNCHER" ] || die "Samsa launcher $SAMSA_LAUNCHER does not exist (yet) or is not executable; use --kafka-only to benchmark Kafka alone"
  # Build before anything is timed: bin/broker would otherwise rebuild a stale runtime inside
  # the start-up deadline. The launch itself then runs with SAMSA_SKIP_BUILD=1.
  if [ "$SAMSA_LAUNCHER" = "$ROOT_DIR/bin/broker" ]; then
    if [ "$BUILD_SAMSA" = 0 ]; then
      [ -d "$ROOT_DIR/runtime/target/samsa" ] || die "Samsa runtime $ROOT_DIR/runtime/target/samsa is missing and --no-build was given"
    elif [ -f "$ROOT_DIR/bin/ensure-built.sh" ]; then
      log "Samsa: bin/ensure-built.sh (builds the root reactor if runtime/target/samsa is missing or stale)"
      bash "$ROOT_DIR/bin/ensure-built.sh" > "$WORK/samsa-build.log" 2>&1 \
        || { CURRENT_LOGS=("$WORK/samsa-build.log"); die "Samsa build failed"; }
    elif [ ! -d "$ROOT_DIR/runtime/target/samsa" ]; then
      log "Samsa: building (runtime/target/samsa is missing): mvn -B -q -DskipTests install"
      (cd "$ROOT_DIR" && mvn -B -q -DskipTests install) > "$WORK/samsa-build.log" 2>&1 \
        || { CURRENT_LOGS=("$WORK/samsa-build.log"); die "Samsa build failed"; }
    fi
  fi
fi

if ! ls "$KLIB"/kafka_2.13-4.4.0.jar "$KLIB"/kafka-tools-4.4.0.jar >/dev/null 2>&1; then
  log "fetching Apache Kafka 4.4.0 and its dependencies from Maven Central into $KLIB"
  (cd "$BENCH_DIR" && mvn -B -q package) > "$WORK/kafka-fetch.log" 2>&1 \
    || { CURRENT_LOGS=("$WORK/kafka-fetch.log"); die "mvn package in bench/ (fetching Kafka 4.4.0) failed"; }
fi

# ---------------------------------------------------------------- Apache Kafka 4.4.0

run_kafka() {
  CURRENT_BROKER="Apache Kafka 4.4.0"
  local dir="$WORK/kafka" cid pid
  mkdir -p "$dir/data"
  KAFKA_PORT=$(free_port "$KAFKA_PORT")
  KAFKA_CONTROLLER_PORT=$(free_port $(( KAFKA_PORT + 1 )))
  cat > "$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cid=$(java -cp "$KLIB/*" "-Dlog4j2.configurationFile=$BENCH_DIR/conf/tools-log4j2.properties" \
        kafka.tools.StorageTool random-uuid 2>"$dir/format.log") || { CURRENT_LOGS=("$dir/format.log"); die "kafka-storage random-uuid failed"; }
  log "Kafka: formatting $dir/data with cluster id $cid"
  java -cp "$KLIB/*" "-Dlog4j2.configurationFile=$BENCH_DIR/conf/tools-log4j2.properties" \
    kafka.tools.StorageTool format --config "$dir/server.properties" --cluster-id "$cid" >>"$dir/format.log" 2>&1 \
    || { CURRENT_LOGS=("$dir/format.log"); die "kafka-storage format failed"; }

  CURRENT_LOGS=("$dir/server.log")
  log "Kafka: starting on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), heap $HEAP_OPTS"
  setsid java $HEAP_OPTS -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$BENCH_DIR/conf/kafka-broker-log4j2.properties" \
    "-Dbench.log.file=$dir/server.log" -cp "$KLIB/*" kafka.Kafka "$dir/server.properties" \
    > "$dir/stdout.log" 2>&1 &
  pid=$!
  STARTED_PIDS+=("$pid")
  [ -f "$dir/server.log" ] || touch "$dir/server.log"
  wait_port "$pid" "$KAFKA_PORT"
  wait_ready "$pid" "127.0.0.1:$KAFKA_PORT"
  log "Kafka: ready"
  bench_broker kafka "$pid" "$KAFKA_PORT"
  log "Kafka: stopping pid $pid"
  stop_group "$pid"
  rm -rf "$dir/data"
  CURRENT_BROKER=""; CURRENT_LOGS=()
}

# ---------------------------------------------------------------- Samsa

# ---------------------------------------------------------------- formatting

# ratio a b -> b/a with 2 decimals (Samsa/Kafka), n/a when either is missing or Kafka is 0.
ratio() {
  awk -v k="$1" -v s="$2" 'BEGIN{ if (k=="" || s=="" || k=="n/a" || s=="n/a" || k+0==0) print "n/a"; else printf "%.2f", s/k }'
}
fmt() { [ -n "${1:-}" ] && echo "$1" || echo "n/a"; }
int() { [ -n "${1:-}" ] && awk -v v="$1" 'BEGIN{printf "%.0f", v}'; }
dec() { [ -n "${1:-}" ] && awk -v v="$1" 'BEGIN{printf "%.1f", v}'; }
mb() { [ -n "${1:-}" ] && awk -v v="$1" 'BEGIN{printf "%.0f", v/1024}' || echo "n/a"; }

row() { # metric kafka samsa
  printf '| %s | %s | %s | %s |\n' "$1" "$(fmt "$2")" "$(fmt "$3")" "$(ratio "$2" "$3")"
}

machine_lines() {
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- machine: $(nproc) cores ($(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)), $(awk '/^MemTotal:/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) memory, $(uname -sr); shared with other work, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- java: $(java -version 2>&1 | head -1)"
  echo "- command: \`$COMMAND_LINE\`"
}

# ---------------------------------------------------------------- Samsa, per storage engine

# The feature set each engine runs with: the runtime's default minus the web console, with the
# engine's own feature, and storage.target naming it so that no other engine can be bound.
# Engine "both" (the swap check): both engines installed, no target, so mmap (ranked higher) wins.
engine_props() {
  if [ "$1" = both ]; then
    echo "samsa.features=platform,broker-core,storage-filechannel,storage-mmap,coordination-zookeeper"
    return
  fi
  echo "samsa.features=platform,broker-core,storage-$1,coordination-zookeeper"
  echo "storage.target=(storage.engine=$1)"
}

# Which engine the broker bound, from the line BrokerServer logs at start
# ("... storage engine <name>, log dirs ..."): dies unless it is $3. A stand-in launcher that
# writes no samsa.log (the self-test) is recorded as not verified.
verify_engine() {
  local name="$1" dir="$2" engine="$3" f="$2/data/logs/samsa.log" used deadline=$(( SECONDS + 30 ))
  if [ "$SAMSA_LAUNCHER" != "$ROOT_DIR/bin/broker" ] && [ ! -f "$f" ]; then
    R[$name.engine]="not verified ($SAMSA_LAUNCHER writes no data/logs/samsa.log)"
    return 0
  fi
  while true; do
    used=$(grep -o 'storage engine [A-Za-z0-9_.-]*' "$f" 2>/dev/null | tail -1 | awk '{print $3}')
    [ -n "$used" ] && break
    [ $SECONDS -ge $deadline ] && die "cannot tell which storage engine Samsa used: no 'storage engine' line in $f"
    sleep 0.5
  done
  [ "$used" = "$engine" ] || die "Samsa was started for storage engine '$engine' but $f says it started with '$used'"
  R[$name.engine]="$used, verified in samsa.log: \`$(grep 'storage engine' "$f" | tail -1 | sed -E 's/^.*(starting \()/\1/' | cut -c1-160)\`"
}

# Starts Samsa with engine $1, JVM options $2 and ports offset by $3; sets SAMSA_PID, SAMSA_DIR.
start_samsa() {
  local engine="$1" opts="$2" offset="$3" dir="$WORK/samsa-$1" p
  CURRENT_BROKER="Samsa ($engine)"
  SAMSA_DIR="$dir"
  mkdir -p "$dir/data/kafka-logs" "$dir/data/zookeeper"
  local port zk http
  port=$(free_port $(( SAMSA_PORT + offset )))
  zk=$(free_port $(( SAMSA_ZK_PORT + offset )))
  http=$(free_port $(( SAMSA_HTTP_PORT + offset )))
  SAMSA_CLIENT_PORT="$port"
  {
    echo "broker.id=0"
    echo "listeners=PLAINTEXT://127.0.0.1:$port"
    echo "advertised.listeners=PLAINTEXT://127.0.0.1:$port"
    echo "log.dirs=$dir/data/kafka-logs"
    echo "samsa.data.dir=$dir/data"
    echo "zookeeper.connect="
    echo "zookeeper.embedded.port=$zk"
    echo "zookeeper.embedded.dir=$dir/data/zookeeper"
    echo "http.port=$http"
    echo "num.partitions=1"
    echo "offsets.topic.replication.factor=1"
    echo "group.initial.rebalance.delay.ms=0"
    engine_props "$engine"
    for p in "${SAMSA_EXTRA_PROPS[@]:-}"; do [ -n "$p" ] && echo "$p"; done
  } > "$dir/server.properties"

  CURRENT_LOGS=("$dir/broker.log" "$dir/data/logs/samsa.log")
  log "Samsa ($engine): starting $SAMSA_LAUNCHER on 127.0.0.1:$port (embedded ZooKeeper $zk, http $http), JVM options $opts"
  # SAMSA_OPTS carries the JVM options of bin/broker; the command line the JVM really ran with is
  # recorded in the results.
  (cd "$dir" && SAMSA_OPTS="$opts" SAMSA_SKIP_BUILD=1 \
      exec setsid "$SAMSA_LAUNCHER" "$dir/server.properties") \
    > "$dir/broker.log" 2>&1 < /dev/null &
  SAMSA_PID=$!
  STARTED_PIDS+=("$SAMSA_PID")
  wait_port "$SAMSA_PID" "$port"
  wait_ready "$SAMSA_PID" "127.0.0.1:$port"
  verify_engine "samsa-$engine" "$dir" "$( [ "$engine" = both ] && echo mmap || echo "$engine")"
  log "Samsa ($engine): ready, storage engine ${R[samsa-$engine.engine]%%,*}"
}

stop_samsa() {
  local engine="$1"
  log "Samsa ($engine): stopping pid $SAMSA_PID"
  stop_group "$SAMSA_PID"
  [ "$KEEP" = 1 ] || rm -rf "$SAMSA_DIR/data/kafka-logs"
  CURRENT_BROKER=""; CURRENT_LOGS=()
}

run_samsa() {
  local engine="$1" offset="$2"
  start_samsa "$engine" "$HEAP_OPTS" "$offset"
  bench_broker "samsa-$engine" "$SAMSA_PID" "$SAMSA_CLIENT_PORT"
  # the engine must not have changed under the run (e.g. a feature installed from the shell)
  verify_engine "samsa-$engine" "$SAMSA_DIR" "$engine"
  stop_samsa "$engine"
}

if [ -n "$SWAPS" ]; then
  source "$BENCH_DIR/swap.sh"
  run_swap_check
  exit $?
fi

if [ -n "$BIG_LOG_GB" ]; then
  source "$BENCH_DIR/big-log.sh"
  run_big_logs
  exit $?
fi

[ "$RUN_KAFKA" = 1 ] && run_kafka
if [ "$RUN_SAMSA" = 1 ]; then
  i=0
  for e in "${ENGINES[@]}"; do run_samsa "$e" $(( 10 * i )); i=$(( i + 1 )); done
fi

# ---------------------------------------------------------------- report

# One table per engine, each against the same Kafka measurements. $1 = samsa-<engine>.
table() {
  local s="$1" e="${1#samsa-}"
  echo "| metric | Kafka 4.4.0 | Samsa ($e) | Samsa/Kafka |"
  echo "|---|---:|---:|---:|"
  row "produce acks=1 (records/s)"   "$(int "${R[kafka.acks1.rps]:-}")"   "$(int "${R[$s.acks1.rps]:-}")"
  row "produce acks=1 (MB/s)"        "$(dec "${R[kafka.acks1.mbs]:-}")"   "$(dec "${R[$s.acks1.mbs]:-}")"
  row "produce acks=all (records/s)" "$(int "${R[kafka.acksall.rps]:-}")" "$(int "${R[$s.acksall.rps]:-}")"
  row "produce acks=all (MB/s)"      "$(dec "${R[kafka.acksall.mbs]:-}")" "$(dec "${R[$s.acksall.mbs]:-}")"
  row "p99 latency acks=1 (ms)"      "${R[kafka.acks1.p99]:-}"   "${R[$s.acks1.p99]:-}"
  row "p99 latency acks=all (ms)"    "${R[kafka.acksall.p99]:-}" "${R[$s.acksall.p99]:-}"
  row "fixed $LAT_RATE records/s acks=all: achieved (records/s)" "$(int "${R[kafka.fixed.rps]:-}")" "$(int "${R[$s.fixed.rps]:-}")"
  row "fixed $LAT_RATE records/s acks=all: p50 latency (ms)"  "${R[kafka.fixed.p50]:-}" "${R[$s.fixed.p50]:-}"
  row "fixed $LAT_RATE records/s acks=all: p99 latency (ms)"  "${R[kafka.fixed.p99]:-}" "${R[$s.fixed.p99]:-}"
  row "fixed $LAT_RATE records/s acks=all: p99.9 latency (ms)" "${R[kafka.fixed.p999]:-}" "${R[$s.fixed.p999]:-}"
  row "consume (records/s)"          "$(int "${R[kafka.consume.rps]:-}")" "$(int "${R[$s.consume.rps]:-}")"
  row "consume (MB/s)"               "$(dec "${R[kafka.consume.mbs]:-}")" "$(dec "${R[$s.consume.mbs]:-}")"
  row "consumer group join (ms)"     "${R[kafka.consume.join_ms]:-}" "${R[$s.consume.join_ms]:-}"
  row "broker CPU per consume run (s)" "${R[kafka.consume.cpu]:-}" "${R[$s.consume.cpu]:-}"
  row "peak broker RSS (MB)"         "$( [ -n "${R[kafka.rss]:-}" ] && mb "${R[kafka.rss]}")" "$( [ -n "${R[$s.rss]:-}" ] && mb "${R[$s.rss]}")"
}

# The storage issue's latency target: Samsa's p99 at the fixed rate no worse than Kafka's.
latency_verdict() {
  local s="$1" k="${R[kafka.fixed.p99]:-}" v="${R[$1.fixed.p99]:-}" e="${1#samsa-}"
  [ -n "$k" ] && [ -n "$v" ] || return 0
  if awk -v k="$k" -v v="$v" 'BEGIN{exit !(v <= k)}'; then
    echo "p99 produce latency at a fixed $LAT_RATE records/s (acks=all): Samsa ($e) $v ms, Kafka $k ms: **meets** the target (<= Kafka's)."
  else
    echo "p99 produce latency at a fixed $LAT_RATE records/s (acks=all): Samsa ($e) $v ms, Kafka $k ms: **misses** the target (<= Kafka's)."
  fi
}

# The storage issue's throughput target: produce (both acks) and consume at least 1.2x Kafka's.
throughput_verdict() {
  local s="$1" e="${1#samsa-}" m k v r parts=() all=1
  for m in acks1.rps acksall.rps consume.rps; do
    k="${R[kafka.$m]:-}"; v="${R[$s.$m]:-}"
    [ -n "$k" ] && [ -n "$v" ] || return 0
    r=$(ratio "$k" "$v")
    parts+=("${m%.rps} ${r}x")
    awk -v r="$r" 'BEGIN{exit !(r >= 1.2)}' || all=0
  done
  local joined; joined=$(IFS=,; echo "${parts[*]}" | sed 's/,/, /g')
  if [ "$all" = 1 ]; then
    echo "Throughput, Samsa ($e)/Kafka: $joined: **meets** the target (>= 1.2x)."
  else
    echo "Throughput, Samsa ($e)/Kafka: $joined: **misses** the target (>= 1.2x)."
  fi
}

SAMSA_NAMES=()
if [ "$RUN_SAMSA" = 1 ]; then
  for e in "${ENGINES[@]}"; do SAMSA_NAMES+=("samsa-$e"); done
else
  SAMSA_NAMES=("samsa-${ENGINES[0]}")
fi
TABLES=$(
  for s in "${SAMSA_NAMES[@]}"; do
    echo "### Samsa with the ${s#samsa-} storage engine"
    echo
    table "$s"
    echo
    latency_verdict "$s"
    echo
    throughput_verdict "$s"
    echo
  done
)

{
  echo "# Samsa vs Apache Kafka 4.4.0 benchmark"
  echo
  machine_lines
  echo "- workload: $RECORDS records of ${RECORD_SIZE} B per measured produce run (warm-up run of $WARMUP records discarded before each), --throughput -1, topics with $PARTITIONS partitions; then $LAT_RECORDS records at a fixed $LAT_RATE records/s with acks=all (first $LAT_WARMUP are ProducerPerformance warm-up, left out of its latencies); consume: a warm-up run of $WARMUP records, then $CONSUME_RUNS measured runs, each a new group reading all $(( 2 * (WARMUP + RECORDS) )) records of the two --throughput -1 topics; the table shows each broker's median run"
  echo "- broker heap: $HEAP_OPTS (all); brokers run one at a time; Samsa runs once per storage engine (${ENGINES[*]}), each after the one Kafka run, with samsa.features=platform,broker-core,storage-<engine>,coordination-zookeeper"
  for b in kafka "${SAMSA_NAMES[@]}"; do
    [ -n "${R[$b.heap_warning]:-}" ] && echo "- **WARNING: the $b JVM did not run with -Xmx$HEAP, see its command line below**"
  done
  echo
  echo "$TABLES"
  echo
  echo "Ratios are Samsa/Kafka: above 1 is better for throughput, worse for latency and RSS."
  echo "Consume throughput excludes the consumer group join (fetch.* columns of ConsumerPerformance)."
  echo "Broker CPU per consume run: the broker JVM's user + system CPU time during one measured run (median), i.e. what serving $(( 2 * (WARMUP + RECORDS) )) records costs the broker; ConsumerPerformance itself is the busier process on a small machine."
  echo
  echo "## Details"
  for b in kafka "${SAMSA_NAMES[@]}"; do
    [ -n "${R[$b.acks1.line]:-}" ] || continue
    echo
    echo "### $b"
    echo "- JVM: \`${R[$b.cmdline]:-?}\`"
    [ -n "${R[$b.engine]:-}" ] && echo "- storage engine: ${R[$b.engine]}"
    echo "- produce acks=1: \`${R[$b.acks1.line]}\`"
    echo "- produce acks=all: \`${R[$b.acksall.line]}\`"
    echo "- produce fixed $LAT_RATE records/s acks=all (steady state): \`${R[$b.fixed.line]:-}\`"
    for i in $(seq 1 "$CONSUME_RUNS"); do
      [ -n "${R[$b.consume.$i.line]:-}" ] || continue
      echo "- consume run $i$( [ "$i" = "${R[$b.consume.median_run]:-}" ] && echo ' (median)') (ConsumerPerformance): \`${R[$b.consume.$i.line]}\` (MB/s incl. group join: ${R[$b.consume.$i.mbs_total]}; broker CPU ${R[$b.consume.$i.cpu]} s)"
    done
    echo "- RSS: peak $(mb "${R[$b.rss]:-}") MB over ${R[$b.rss_samples]:-0} one-second samples; kernel VmHWM $(mb "${R[$b.hwm]:-}") MB"
  done
} > "$RESULTS"

echo
echo "$TABLES"
echo
echo "written to $RESULTS"
