#!/usr/bin/env bash
# Apache Kafka's kafka-delete-records.sh (DeleteRecordsCommand): advance log start offsets from a JSON file.
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.DeleteRecordsCommand "$@"
