#!/usr/bin/env bash
# Apache Kafka's kafka-log-dirs.sh (LogDirsCommand): each broker's log dirs, offline ones with
# their error, and the size of every partition in them.
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.LogDirsCommand "$@"
