#!/usr/bin/env bash
# shellcheck disable=SC2034  # rc and start are read inside check's eval'd conditions
# Self-test of bench/run.sh without Samsa: a full comparison run against a launcher that starts
# Apache Kafka in Samsa's place, plus the two start-up failure modes (launcher exits, launcher
# never listens), which must fail fast with a message naming Samsa and the log tail.
# Takes about a minute. Usage: bench/selftest/run.sh
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bench="$here/../run.sh"
out=$(mktemp); trap 'rm -f "$out"' EXIT
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1"; failed=$((failed+1)); sed 's/^/     | /' "$out" | tail -25; fi; }

"$bench" --records 50000 --warmup 10000 --latency-rate 5000 --latency-records 10000 --consume-runs 3 --engine both --keep \
  --samsa-launcher "$here/kafka-as-samsa.sh" >"$out" 2>&1; rc=$?
check "full run exits 0" '[ $rc -eq 0 ]'
check "one table per engine, each with every metric and a ratio" '[ $(grep -cE "^\| (produce|p99|fixed|consume|peak).*\| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$" "$out") -eq 28 ] && grep -q "^| metric | Kafka 4.4.0 | Samsa (filechannel) |" "$out" && grep -q "^| metric | Kafka 4.4.0 | Samsa (mmap) |" "$out"'
check "throughput verdict for both engines" '[ $(grep -cE "^Throughput, Samsa \((filechannel|mmap)\)/Kafka: acks1 [0-9.]+x, acksall [0-9.]+x, consume [0-9.]+x: \*\*(meets|misses)\*\* the target" "$out") -eq 2 ]'
check "broker CPU per consume run for both brokers" '[ $(grep -cE "^\| broker CPU per consume run \(s\) \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$" "$out") -eq 2 ]'
check "every measured consume run in the details, the median marked" '[ $(grep -c "^- consume run [123] " "$here/../target/results.md") -eq 9 ] && [ $(grep -c "^- consume run [123] (median)" "$here/../target/results.md") -eq 3 ]'
check "fixed-rate p99 verdict for both engines" '[ $(grep -cE "^p99 produce latency at a fixed 5000 records/s .*\*\*(meets|misses)\*\* the target" "$out") -eq 2 ]'
check "a stand-in launcher's engine is reported as not verified" '[ $(grep -c "^- storage engine: not verified" "$here/../target/results.md") -eq 2 ]'
check "each engine run got its feature and storage.target" 'w="$here/../target/work"; grep -qx "samsa.features=platform,broker-core,storage-mmap,coordination-zookeeper" "$w/samsa-mmap/server.properties" && grep -qx "storage.target=(storage.engine=mmap)" "$w/samsa-mmap/server.properties" && grep -qx "storage.target=(storage.engine=filechannel)" "$w/samsa-filechannel/server.properties"'
check "results.md written with the command" 'grep -q -- "--samsa-launcher" "$here/../target/results.md"'
check "Samsa heap options reach the launcher" 'grep -q "Xmx1g" "$here/../target/results.md"'
check "no broker left running" '! pgrep -f "bench/target/[w]ork/.*/server.properties|bench/target/[w]ork/samsa[^/]*/kraft.properties" >/dev/null'

start=$SECONDS
"$bench" --samsa-only --engine filechannel --samsa-launcher "$here/dies.sh" >"$out" 2>&1; rc=$?
check "dying launcher fails naming Samsa with the log tail" '[ $rc -ne 0 ] && grep -q "BENCH FAILED (Samsa (filechannel)): broker process .* exited" "$out" && grep -q "simulated start-up failure" "$out"'
check "dying launcher fails within 30 s" '[ $((SECONDS - start)) -lt 30 ]'

start=$SECONDS
"$bench" --samsa-only --engine filechannel --start-timeout 5 --samsa-launcher "$here/hangs.sh" >"$out" 2>&1; rc=$?
check "hanging launcher fails on the start deadline" '[ $rc -ne 0 ] && grep -q "BENCH FAILED (Samsa (filechannel)): broker did not listen on 127.0.0.1:[0-9]* within 5s" "$out" && grep -q "simulated hang" "$out"'
check "hanging launcher was stopped" '! pgrep -f "^sleep 600$" >/dev/null && [ $((SECONDS - start)) -lt 40 ]'

start=$SECONDS
"$bench" --samsa-only --engine filechannel --records 5000000 --samsa-launcher "$here/crashes.sh" >"$out" 2>&1; rc=$?
check "broker crash mid-run fails fast naming Samsa" '[ $rc -ne 0 ] && grep -qE "BENCH FAILED \(Samsa \(filechannel\)\): broker (died|process [0-9]+ exited)" "$out" && grep -q "killing broker JVM" "$out" && [ $((SECONDS - start)) -lt 40 ]'

"$bench" --records abc >"$out" 2>&1; rc=$?
check "bad option value is rejected" '[ $rc -eq 2 ] && grep -q "records must be a number" "$out"'
"$bench" --engine rocksdb >"$out" 2>&1; rc=$?
check "unknown engine is rejected" '[ $rc -eq 2 ] && grep -q "engine must be filechannel, mmap or both" "$out"'
"$bench" --consume-runs 0 >"$out" 2>&1; rc=$?
check "zero consume runs is rejected" '[ $rc -eq 2 ] && grep -q "consume-runs must be at least 1" "$out"'
"$bench" --swap 0 >"$out" 2>&1; rc=$?
check "zero swaps is rejected" '[ $rc -eq 2 ] && grep -q "swap must be a number of swaps >= 1" "$out"'
"$bench" --big-log 0 >"$out" 2>&1; rc=$?
check "bad --big-log size is rejected" '[ $rc -eq 2 ] && grep -q "big-log must be a whole number" "$out"'

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
