#!/usr/bin/env bash
# Apache Kafka's kafka-configs.sh (ConfigCommand): topic and broker configs, e.g. retention.ms changed live.
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.ConfigCommand "$@"
