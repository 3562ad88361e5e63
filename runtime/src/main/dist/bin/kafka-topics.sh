#!/usr/bin/env bash
# Apache Kafka's kafka-topics.sh (TopicCommand). Kafka 4 has no --zookeeper option: the old
# form "--zookeeper host:2181" is turned into "--bootstrap-server host:9092" (same host,
# default broker port) with a note on stderr.
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --zookeeper|--zookeeper=*)
      if [[ "$1" == *=* ]]; then zk="${1#*=}"; shift; else zk="${2:-}"; shift 2 || shift; fi
      host="${zk%%,*}"; host="${host%%/*}"; host="${host%:*}"
      echo "note: --zookeeper is gone in Kafka 4; using --bootstrap-server ${host:-localhost}:9092" >&2
      args+=(--bootstrap-server "${host:-localhost}:9092");;
    *) args+=("$1"); shift;;
  esac
done
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "${args[@]}"
