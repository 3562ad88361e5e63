#!/usr/bin/env bash
# Apache Kafka's kafka-console-producer.sh (ConsoleProducer). Kafka 4 dropped --broker-list;
# it is accepted here as the --bootstrap-server it always meant.
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
args=()
for arg in "$@"; do
  case "$arg" in
    --broker-list) args+=(--bootstrap-server);;
    --broker-list=*) args+=("--bootstrap-server=${arg#*=}");;
    *) args+=("$arg");;
  esac
done
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.ConsoleProducer "${args[@]}"
