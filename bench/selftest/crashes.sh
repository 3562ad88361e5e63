#!/usr/bin/env bash
# Stand-in for bin/broker whose JVM is killed 15 s after start (mid-benchmark), for selftest/run.sh.
here="$(cd "$(dirname "$0")" && pwd)"
"$here/kafka-as-samsa.sh" "$1" &
launcher=$!
sleep 15
for p in $(ps -o pid= --ppid "$launcher"); do
  [ "$(cat /proc/$p/comm 2>/dev/null)" = java ] && { echo "crashes.sh: killing broker JVM $p"; kill -KILL "$p"; }
done
wait "$launcher"
