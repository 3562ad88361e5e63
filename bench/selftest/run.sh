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

"$bench" --records 50000 --warmup 10000 --samsa-launcher "$here/kafka-as-samsa.sh" >"$out" 2>&1; rc=$?
check "full run exits 0" '[ $rc -eq 0 ]'
check "table has every metric with a ratio" '[ $(grep -cE "^\| (produce|p99|consume|peak).*\| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$" "$out") -eq 10 ]'
check "results.md written with the command" 'grep -q -- "--samsa-launcher" "$here/../target/results.md"'
check "Samsa heap options reach the launcher" 'grep -q "Xmx1g" "$here/../target/results.md"'
check "no broker left running" '! pgrep -f "bench/target/work/.*/server.properties|bench/target/work/samsa/kraft.properties" >/dev/null'

start=$SECONDS
"$bench" --samsa-only --samsa-launcher "$here/dies.sh" >"$out" 2>&1; rc=$?
check "dying launcher fails naming Samsa with the log tail" '[ $rc -ne 0 ] && grep -q "BENCH FAILED (Samsa): broker process .* exited" "$out" && grep -q "simulated start-up failure" "$out"'
check "dying launcher fails within 30 s" '[ $((SECONDS - start)) -lt 30 ]'

start=$SECONDS
"$bench" --samsa-only --start-timeout 5 --samsa-launcher "$here/hangs.sh" >"$out" 2>&1; rc=$?
check "hanging launcher fails on the start deadline" '[ $rc -ne 0 ] && grep -q "BENCH FAILED (Samsa): broker did not listen on 127.0.0.1:[0-9]* within 5s" "$out" && grep -q "simulated hang" "$out"'
check "hanging launcher was stopped" '! pgrep -f "^sleep 600$" >/dev/null && [ $((SECONDS - start)) -lt 40 ]'

start=$SECONDS
"$bench" --samsa-only --records 5000000 --samsa-launcher "$here/crashes.sh" >"$out" 2>&1; rc=$?
check "broker crash mid-run fails fast naming Samsa" '[ $rc -ne 0 ] && grep -qE "BENCH FAILED \(Samsa\): broker (died|process [0-9]+ exited)" "$out" && grep -q "killing broker JVM" "$out" && [ $((SECONDS - start)) -lt 40 ]'

"$bench" --records abc >"$out" 2>&1; rc=$?
check "bad option value is rejected" '[ $rc -eq 2 ] && grep -q "records must be a number" "$out"'

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
