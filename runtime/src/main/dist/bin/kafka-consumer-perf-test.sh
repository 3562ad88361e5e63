#!/usr/bin/env bash
# Apache Kafka's kafka-consumer-perf-test.sh (ConsumerPerformance).
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.ConsumerPerformance "$@"
