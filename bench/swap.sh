# Storage hot-swap stall check for bench/run.sh --swap N (sourced by run.sh; uses its helpers and
# settings). Claim checked: "the swap stalls produce for under a second", as a producer sees it.
# Samsa alone with both engines installed; an idempotent acks=all ProducerPerformance at a fixed
# rate runs once undisturbed and once while the engine is swapped N times by dropping
# load/io.samsa.broker.storage.cfg into the hot-deploy folder; the worst send-to-ack latency of
# each run is compared. Then every record of both runs is consumed back.

SWAP_RESULTS="$TARGET/swap-results.md"
SWAP_SETTLE=3     # seconds of undisturbed producing after each swap
SWAP_LEAD=5       # seconds of producing before the first swap
SWAP_WARMUP=2     # seconds' worth of records left out of the latencies (connections, metadata, JIT)

# One fixed-rate producer run of $3 records to bench-swap; prints its summary line.
swap_produce() {
  local name="$1" kind="$2" count="$3" out rc line
  log "$name: produce $count x ${RECORD_SIZE}B to bench-swap at $SWAP_RATE records/s, acks=all, idempotent ($kind)"
  out=$(tool "$RUN_TIMEOUT" org.apache.kafka.tools.ProducerPerformance \
        --bootstrap-server "127.0.0.1:$SAMSA_CLIENT_PORT" --topic bench-swap --num-records "$count" \
        --record-size "$RECORD_SIZE" --throughput "$SWAP_RATE" --reporting-interval 1000 \
        --warmup-records $(( SWAP_RATE * SWAP_WARMUP )) \
        --command-property acks=all enable.idempotence=true "client.id=bench-swap-$kind" \
        2>"$WORK/$name-$kind.err")
  rc=$?
  echo "$out" > "$WORK/$name-$kind.out"
  [ $rc -eq 98 ] && die "the broker JVM died during the $kind run"
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && die "the $kind ProducerPerformance run did not finish within ${RUN_TIMEOUT}s"
  line=$(echo "$out" | grep -E '^[0-9]+ steady state records sent, .* 99th' | tail -1)
  [ $rc -eq 0 ] && [ -n "$line" ] || die "the $kind ProducerPerformance run failed (exit $rc): $(tail -5 "$WORK/$name-$kind.err")"
  if grep -q 'Exception' "$WORK/$name-$kind.err" || echo "$out" | grep -q 'Exception\|ERROR'; then
    die "the $kind ProducerPerformance run reported errors: $(cat "$WORK/$name-$kind.err" <(echo "$out") | grep -m3 'Exception\|ERROR')"
  fi
  echo "$line"
}

parse_swap_run() {
  local name="$1" kind="$2" line="$3"
  parse_produce "$name" "$kind" "$line"
  R[$name.$kind.max]=$(echo "$line" | sed -E 's/.* ([0-9.]+) ms max latency.*/\1/')
  R[$name.$kind.sent]=$(echo "$line" | sed -E 's/^([0-9]+) .*/\1/')
}

swap_count() { grep -c 'Storage engine now' "$1" 2>/dev/null; }

run_swap_check() {
  local name=samsa-swap engine=both jvm out line i target deadline before total secs cfg slog rc ppid
  start_samsa "$engine" "$HEAP_OPTS" 0
  slog="$SAMSA_DIR/data/logs/samsa.log"
  jvm=$(broker_jvm_pid "$SAMSA_PID" "$SAMSA_CLIENT_PORT")
  BROKER_JVM="$jvm"
  R[$name.cmdline]=$(tr '\0' ' ' < "/proc/$jvm/cmdline" 2>/dev/null)
  out=$(tool 60 org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$SAMSA_CLIENT_PORT" --create \
        --topic bench-swap --partitions 6 --replication-factor 1 2>&1) \
    || die "could not create topic bench-swap: $(echo "$out" | tail -3)"

  secs=$(( SWAP_LEAD + SWAPS * (SWAP_SETTLE + 1) + SWAP_SETTLE ))
  total=$(( SWAP_RATE * secs ))
  line=$(swap_produce "$name" baseline "$total") || exit 1
  parse_swap_run "$name" baseline "$line"

  # The measured run in the background, the swaps in the foreground while it produces.
  ( swap_produce "$name" swaps "$total" > "$WORK/$name-swaps.line" ) &
  ppid=$!
  STARTED_PIDS+=("$ppid")
  sleep "$SWAP_LEAD"
  cfg="$SAMSA_DIR/data/load/io.samsa.broker.storage.cfg"
  before=$(swap_count "$slog")
  for i in $(seq 1 "$SWAPS"); do
    if [ $(( i % 2 )) = 1 ]; then target=filechannel; else target=mmap; fi
    log "$name: swap $i of $SWAPS: storage.target=(storage.engine=$target) through $cfg"
    printf 'storage.target=(storage.engine=%s)\n' "$target" > "$cfg.tmp" && mv "$cfg.tmp" "$cfg"
    deadline=$(( SECONDS + 30 ))
    until [ "$(swap_count "$slog")" -ge $(( before + i )) ]; do
      [ $SECONDS -ge $deadline ] && die "swap $i to $target: no 'Storage engine now' line in $slog within 30 s"
      kill -0 "$jvm" 2>/dev/null || die "the broker JVM died during swap $i"
      sleep 0.2
    done
    grep 'Storage engine now' "$slog" | tail -1 | grep -q "now $target " \
      || die "swap $i: expected the broker on $target, $slog says: $(grep 'Storage engine now' "$slog" | tail -1)"
    sleep "$SWAP_SETTLE"
  done
  wait "$ppid"; rc=$?
  forget_pid "$ppid"
  [ $rc -eq 0 ] || exit 1
  parse_swap_run "$name" swaps "$(cat "$WORK/$name-swaps.line")"
  R[$name.reopens]=$(grep 'Storage engine now' "$slog" | tail -n "$SWAPS" \
    | sed -E 's/.*Storage engine now ([a-z]+) \(was ([a-z]+)\); ([0-9]+) partitions reopened in ([0-9]+) ms.*/\2 -> \1: \3 partitions in \4 ms/' \
    | paste -sd ';' | sed 's/;/; /g')

  local expected=$(( 2 * total ))
  log "$name: consume all $expected records of bench-swap"
  out=$(tool "$RUN_TIMEOUT" org.apache.kafka.tools.ConsumerPerformance \
        --bootstrap-server "127.0.0.1:$SAMSA_CLIENT_PORT" --topic bench-swap --num-records "$expected" \
        --group "bench-swap-$$" --timeout 30000 2>"$WORK/$name-consume.err")
  rc=$?
  [ $rc -eq 0 ] || die "ConsumerPerformance failed (exit $rc): $(tail -3 "$WORK/$name-consume.err")"
  parse_consume "$name" "$out" "$expected" 1 0   # dies unless every record came back
  R[$name.consumed]=${R[$name.consume.1.count]}
  R[$name.expected]=$expected
  kill -0 "$jvm" 2>/dev/null || die "the broker JVM died"
  BROKER_JVM=""
  stop_samsa "$engine"
  write_swap_report "$name"
  echo
  sed -n '/^| metric/,/^$/p' "$SWAP_RESULTS"
  grep '^Worst send-to-ack' "$SWAP_RESULTS"
  echo "written to $SWAP_RESULTS"
}

write_swap_report() {
  local n="$1" verdict
  if awk -v m="${R[$n.swaps.max]}" 'BEGIN{exit !(m < 1000)}'; then verdict="**meets** the claim (a swap stalls produce for under a second)"
  else verdict="**misses** the claim (a swap stalls produce for under a second)"; fi
  {
    echo "# Samsa storage hot-swap stall"
    echo
    machine_lines
    echo "- workload: ProducerPerformance, $RECORD_SIZE B records at a fixed $SWAP_RATE records/s, acks=all, enable.idempotence=true, to bench-swap (6 partitions), the first ${SWAP_WARMUP} s of each run being ProducerPerformance warm-up records left out of its latencies; the same run twice: without swaps, then with $SWAPS swaps (filechannel and mmap in turn, each by writing \`load/io.samsa.broker.storage.cfg\`, ${SWAP_LEAD} s after the start and ${SWAP_SETTLE} s apart); then every record of both runs consumed back"
    echo "- broker: Samsa with both storage engines installed (mmap, ranked higher, first), $HEAP_OPTS"
    echo
    echo "| metric | without swaps | with $SWAPS swaps |"
    echo "|---|---:|---:|"
    echo "| records acknowledged (after the warm-up) | ${R[$n.baseline.sent]} | ${R[$n.swaps.sent]} |"
    echo "| achieved (records/s) | $(int "${R[$n.baseline.rps]}") | $(int "${R[$n.swaps.rps]}") |"
    echo "| p50 latency (ms) | ${R[$n.baseline.p50]} | ${R[$n.swaps.p50]} |"
    echo "| p99 latency (ms) | ${R[$n.baseline.p99]} | ${R[$n.swaps.p99]} |"
    echo "| p99.9 latency (ms) | ${R[$n.baseline.p999]} | ${R[$n.swaps.p999]} |"
    echo "| worst send-to-ack latency (ms) | ${R[$n.baseline.max]} | ${R[$n.swaps.max]} |"
    echo
    echo "Worst send-to-ack latency with $SWAPS swaps: ${R[$n.swaps.max]} ms (without: ${R[$n.baseline.max]} ms): $verdict."
    echo
    echo "Records consumed back: ${R[$n.consumed]} of the ${R[$n.expected]} both runs sent, all acknowledged."
    echo
    echo "## Details"
    echo "- JVM: \`${R[$n.cmdline]:-?}\`"
    echo "- the broker's own account of each swap (samsa.log): ${R[$n.reopens]}"
    echo "- without swaps: \`${R[$n.baseline.line]}\`"
    echo "- with swaps: \`${R[$n.swaps.line]}\`"
    echo "- per-second windows of the run with swaps (ProducerPerformance --reporting-interval 1000):"
    echo
    echo '```'
    grep -E '^[0-9]+ records sent, .* max latency\.$' "$WORK/$n-swaps.out"
    echo '```'
  } > "$SWAP_RESULTS"
}
