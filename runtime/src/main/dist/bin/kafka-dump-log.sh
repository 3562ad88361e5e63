#!/usr/bin/env bash
# Apache Kafka's kafka-dump-log.sh (DumpLogSegments): decode .log, .index and .timeindex files on disk.
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.DumpLogSegments "$@"
