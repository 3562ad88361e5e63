#!/usr/bin/env bash
# Apache Kafka's kafka-get-offsets.sh (GetOffsetShell): earliest, latest or by-timestamp offsets per partition.
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.GetOffsetShell "$@"
