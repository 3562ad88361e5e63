# Heap check for bench/run.sh --big-log GB (sourced by run.sh; uses its helpers and settings).
# Claim checked: "the broker's heap does not grow with the data: a 5 GB log is served with
# -Xmx512m". For each engine: Samsa alone with -Xmx$BIG_HEAP, GB GiB produced into a topic with
# one partition, every record consumed back; the broker's memory is sampled every second (VmRSS
# split into anonymous memory and mapped file pages, and the heap through jstat), and the live
# heap is measured after a full GC before the produce and after the consume.

BIG_RESULTS="$TARGET/big-log-results.md"
BIG_RSS_SAMPLER=""
BIG_GC_SAMPLER=""

# Live heap in KiB after a full GC (jcmd GC.run, then the "used" of GC.heap_info's first line).
live_heap_kb() {
  timeout 60 jcmd "$1" GC.run >/dev/null 2>&1 || return 0
  timeout 60 jcmd "$1" GC.heap_info 2>/dev/null | grep -m1 -oE 'used [0-9]+K' | grep -oE '[0-9]+'
}

# Every second: "VmRSS RssAnon RssFile" (KiB) of $1 to $2, and jstat -gc of $1 to $3.
start_memory_samplers() {
  local pid="$1" rss="$2" gc="$3"
  : > "$rss"
  ( while kill -0 "$pid" 2>/dev/null; do
      awk '/^VmRSS:/{r=$2} /^RssAnon:/{a=$2} /^RssFile:/{f=$2} END{if (r != "") print r, a, f}' "/proc/$pid/status" 2>/dev/null >> "$rss"
      sleep 1
    done ) &
  BIG_RSS_SAMPLER=$!
  STARTED_PIDS+=("$BIG_RSS_SAMPLER")
  if command -v jstat >/dev/null; then
    jstat -gc "$pid" 1000 > "$gc" 2>/dev/null &
    BIG_GC_SAMPLER=$!
    STARTED_PIDS+=("$BIG_GC_SAMPLER")
  else
    BIG_GC_SAMPLER=""
  fi
}

stop_memory_samplers() {
  local p
  for p in "$BIG_RSS_SAMPLER" "$BIG_GC_SAMPLER"; do
    [ -n "$p" ] || continue
    kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
    forget_pid "$p"
  done
  BIG_RSS_SAMPLER=""; BIG_GC_SAMPLER=""
}

# Peaks from the samples (KiB): rss anon file heap_used heap_committed
memory_peaks() {
  local name="$1" rss="$2" gc="$3"
  R[$name.rss]=$(awk '$1>m{m=$1} END{print m}' "$rss")
  R[$name.rss_anon]=$(awk '$2>m{m=$2} END{print m}' "$rss")
  R[$name.rss_file]=$(awk '$3>m{m=$3} END{print m}' "$rss")
  R[$name.rss_samples]=$(wc -l < "$rss")
  if [ -s "$gc" ]; then
    # columns by name: heap used = S0U+S1U+EU+OU, committed = S0C+S1C+EC+OC
    R[$name.heap_used]=$(awk 'NR==1{for(i=1;i<=NF;i++) c[$i]=i; next}
      $1 ~ /^[0-9.]+$/ {u=$c["S0U"]+$c["S1U"]+$c["EU"]+$c["OU"]; if(u>m) m=u} END{printf "%.0f", m}' "$gc")
    R[$name.heap_committed]=$(awk 'NR==1{for(i=1;i<=NF;i++) c[$i]=i; next}
      $1 ~ /^[0-9.]+$/ {u=$c["S0C"]+$c["S1C"]+$c["EC"]+$c["OC"]; if(u>m) m=u} END{printf "%.0f", m}' "$gc")
    R[$name.old_used_end]=$(awk 'NR==1{for(i=1;i<=NF;i++) c[$i]=i; next} $1 ~ /^[0-9.]+$/ {o=$c["OU"]} END{printf "%.0f", o}' "$gc")
  fi
}

# Records the failure, stops the broker, writes what was measured so far, and fails the run.
big_fail() {
  local name="$1"; shift
  R[$name.result]="FAILED: $*"
  if [ -n "${BROKER_JVM:-}" ]; then
    R[$name.oom]=$(grep -l 'OutOfMemoryError' "$SAMSA_DIR/broker.log" "$SAMSA_DIR/data/logs/samsa.log" 2>/dev/null | head -1)
  fi
  stop_memory_samplers
  memory_peaks "$name" "$WORK/$name-rss.txt" "$WORK/$name-gc.txt"
  BROKER_JVM=""
  write_big_report
  die "heap check ($name): $*${R[$name.oom]:+ (OutOfMemoryError in ${R[$name.oom]})}"
}

run_big_log() {
  local engine="$1" offset="$2" name="big-$1" total avail_kb need_kb out line rc jvm limit dir
  total=$(( BIG_LOG_GB * 1073741824 / BIG_RECORD_SIZE ))
  limit=$(( BIG_LOG_GB * 300 )); [ "$limit" -lt "$RUN_TIMEOUT" ] && limit=$RUN_TIMEOUT
  need_kb=$(( (BIG_LOG_GB + 5) * 1048576 ))
  avail_kb=$(df -Pk "$WORK" | awk 'NR==2{print $4}')
  [ "$avail_kb" -ge "$need_kb" ] || die "heap check needs $(( BIG_LOG_GB + 5 )) GiB free under $WORK, only $(( avail_kb / 1048576 )) GiB are"
  R[$name.records]=$total
  : > "$WORK/$name-rss.txt"; : > "$WORK/$name-gc.txt"

  start_samsa "$engine" "-Xmx$BIG_HEAP" "$offset"
  dir="$SAMSA_DIR"
  jvm=$(broker_jvm_pid "$SAMSA_PID" "$SAMSA_CLIENT_PORT")
  BROKER_JVM="$jvm"
  R[$name.cmdline]=$(tr '\0' ' ' < "/proc/$jvm/cmdline" 2>/dev/null)
  R[$name.engine]="${R[samsa-$engine.engine]}"
  [[ " ${R[$name.cmdline]} " == *" -Xmx$BIG_HEAP "* ]] || big_fail "$name" "the broker JVM does not run with -Xmx$BIG_HEAP: ${R[$name.cmdline]}"
  start_memory_samplers "$jvm" "$WORK/$name-rss.txt" "$WORK/$name-gc.txt"

  out=$(tool 60 org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$SAMSA_CLIENT_PORT" --create \
        --topic bench-big --partitions 1 --replication-factor 1 2>&1) \
    || big_fail "$name" "could not create topic bench-big: $(echo "$out" | tail -3)"
  R[$name.live_start]=$(live_heap_kb "$jvm")

  log "$name: produce $total x ${BIG_RECORD_SIZE}B ($BIG_LOG_GB GiB) to bench-big (1 partition), acks=all"
  out=$(tool "$limit" org.apache.kafka.tools.ProducerPerformance \
        --bootstrap-server "127.0.0.1:$SAMSA_CLIENT_PORT" --topic bench-big --num-records "$total" \
        --record-size "$BIG_RECORD_SIZE" --throughput -1 --reporting-interval 30000 \
        --command-property acks=all batch.size=262144 linger.ms=5 client.id=bench-big 2>"$WORK/$name-produce.err")
  rc=$?
  echo "$out" > "$WORK/$name-produce.out"
  [ $rc -eq 98 ] && big_fail "$name" "the broker JVM died during the produce"
  line=$(echo "$out" | grep -E '^[0-9]+ records sent, ' | tail -1)
  [ $rc -eq 0 ] && [ -n "$line" ] || big_fail "$name" "ProducerPerformance failed (exit $rc): $(tail -3 "$WORK/$name-produce.err")"
  echo "$out" | grep -q 'Exception\|ERROR' && big_fail "$name" "ProducerPerformance reported errors: $(echo "$out" | grep -m2 'Exception\|ERROR')"
  parse_produce "$name" produce "$line"
  R[$name.log_bytes]=$(du -sb "$dir/data/kafka-logs/bench-big-0" 2>/dev/null | cut -f1)
  R[$name.segments]=$(ls "$dir/data/kafka-logs/bench-big-0" 2>/dev/null | grep -c '\.log$')

  log "$name: consume all $total records of bench-big"
  out=$(tool "$limit" org.apache.kafka.tools.ConsumerPerformance \
        --bootstrap-server "127.0.0.1:$SAMSA_CLIENT_PORT" --topic bench-big --num-records "$total" \
        --group "bench-big-$$" --timeout 60000 2>"$WORK/$name-consume.err")
  rc=$?
  echo "$out" > "$WORK/$name-consume.out"
  [ $rc -eq 98 ] && big_fail "$name" "the broker JVM died during the consume"
  [ $rc -eq 0 ] || big_fail "$name" "ConsumerPerformance failed (exit $rc): $(tail -3 "$WORK/$name-consume.err")"
  local hdr data
  hdr=$(echo "$out" | grep -m1 '^start.time')
  data=$(echo "$out" | grep -A1 '^start.time' | tail -1)
  [ -n "$hdr" ] && [ -n "$data" ] || big_fail "$name" "cannot parse ConsumerPerformance output: $(echo "$out" | tail -3)"
  col() { awk -F', *' -v h="$hdr" -v want="$1" 'BEGIN{n=split(h,H,/, */); for(i=1;i<=n;i++) if(H[i]==want) c=i} {print $c}' <<<"$data"; }
  R[$name.consumed]=$(col data.consumed.in.nMsg)
  R[$name.counts]="${R[$name.consumed]} / $total"
  R[$name.consume.mbs]=$(col fetch.MB.sec)
  R[$name.consume.line]="$data"

  kill -0 "$jvm" 2>/dev/null || big_fail "$name" "the broker JVM died"
  R[$name.live_end]=$(live_heap_kb "$jvm")
  stop_memory_samplers
  memory_peaks "$name" "$WORK/$name-rss.txt" "$WORK/$name-gc.txt"
  R[$name.hwm]=$(awk '/^VmHWM:/{print $2}' "/proc/$jvm/status" 2>/dev/null)
  BROKER_JVM=""
  [ "${R[$name.consumed]}" = "$total" ] || big_fail "$name" "consumed ${R[$name.consumed]} of $total records"
  R[$name.result]="OK: all $total records produced and consumed with -Xmx$BIG_HEAP"
  stop_samsa "$engine"
}

write_big_report() {
  local e n rows
  bigrow() { # label key formatter
    local line="| $1 |" v
    for e in "${ENGINES[@]}"; do
      v="${R[big-$e.$2]:-}"
      if [ -n "$v" ] && [ -n "${3:-}" ]; then v=$($3 "$v"); fi
      line+=" $(fmt "$v") |"
    done
    echo "$line"
  }
  gib() { awk -v v="$1" 'BEGIN{printf "%.2f GiB", v/1073741824}'; }
  {
    echo "# Samsa heap check: a big log served with -Xmx$BIG_HEAP"
    echo
    machine_lines
    echo "- workload: $BIG_LOG_GB GiB = ${R[big-${ENGINES[0]}.records]:-?} records of $BIG_RECORD_SIZE B produced (ProducerPerformance, acks=all, batch.size=262144, linger.ms=5) into topic bench-big with 1 partition (segments of log.segment.bytes, default 1 GiB), then all consumed (ConsumerPerformance)"
    echo "- Samsa JVM options: -Xmx$BIG_HEAP (SAMSA_OPTS); memory sampled every second: VmRSS, RssAnon (heap, metaspace, direct buffers, thread stacks), RssFile (mapped files: jars, and with mmap the segments in the page cache), jstat -gc"
    echo
    n="| metric |"; rows="|---|"
    for e in "${ENGINES[@]}"; do n+=" Samsa ($e) |"; rows+="---:|"; done
    echo "$n"; echo "$rows"
    bigrow "result" result
    bigrow "log size on disk" log_bytes gib
    bigrow "segments" segments
    bigrow "records consumed / produced" counts
    bigrow "produce (MB/s)" produce.mbs dec
    bigrow "consume (MB/s)" consume.mbs dec
    bigrow "peak RSS (MB)" rss mb
    bigrow "peak RssAnon (MB)" rss_anon mb
    bigrow "peak RssFile (MB)" rss_file mb
    bigrow "kernel VmHWM (MB)" hwm mb
    bigrow "peak heap used, jstat (MB)" heap_used mb
    bigrow "peak heap committed, jstat (MB)" heap_committed mb
    bigrow "live heap after full GC, before produce (MB)" live_start mb
    bigrow "live heap after full GC, after consume (MB)" live_end mb
    echo
    echo "The claim holds when every run is OK and the live heap after the consume is about what it was before the produce."
    echo
    echo "## Details"
    for e in "${ENGINES[@]}"; do
      [ -n "${R[big-$e.result]:-}" ] || continue
      echo
      echo "### $e"
      echo "- JVM: \`${R[big-$e.cmdline]:-?}\`"
      echo "- storage engine: ${R[big-$e.engine]:-?}"
      echo "- produce: \`${R[big-$e.produce.line]:-}\`"
      echo "- consume: \`${R[big-$e.consume.line]:-}\`"
      echo "- memory samples: ${R[big-$e.rss_samples]:-0}"
    done
  } > "$BIG_RESULTS"
}

run_big_logs() {
  local i=0 e
  for e in "${ENGINES[@]}"; do
    run_big_log "$e" $(( 10 * i ))
    i=$(( i + 1 ))
  done
  write_big_report
  echo
  sed -n '/^| metric/,/^$/p' "$BIG_RESULTS"
  echo "written to $BIG_RESULTS"
}
