#!/usr/bin/env bash
# Apache Kafka's kafka-consumer-groups.sh (ConsumerGroupCommand).
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
