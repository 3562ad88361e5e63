#!/usr/bin/env bash
# Apache Kafka's kafka-server-start.sh, starting a Samsa broker:
#   kafka-server-start.sh [-daemon] config/server.properties [--override key=value]...
# In the foreground it is bin/broker. -daemon runs it in the background: output to
# $LOG_DIR/kafkaServer.out, PID in $LOG_DIR/kafka-server.pid (LOG_DIR defaults to logs/ of the
# runtime; give each broker on one machine its own). The broker's own log is
# <samsa.data.dir>/logs/samsa.log. JVM options: KAFKA_HEAP_OPTS (default -Xmx1G -Xms1G), KAFKA_OPTS.
set -euo pipefail
SAMSA_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$SAMSA_HOME/bin/daemon-functions.sh"
start_args "$0 [-daemon] server.properties [--override property=value]*" broker "$@"
set -- "${rest[@]}"
if [[ $# -gt 0 ]]; then
  # --override: the file's keys, then the overrides, in one file the broker reads.
  merged="$(mktemp "${TMPDIR:-/tmp}/samsa-server-XXXXXX.properties")"
  cp "$config" "$merged"
  while [[ $# -gt 0 ]]; do
    if [[ "$1" != "--override" || $# -lt 2 || "$2" != *=* ]]; then
      echo "Expected --override property=value, not: $*" >&2
      exit 1
    fi
    printf '\n%s\n' "$2" >> "$merged"
    shift 2
  done
  config="$merged"
fi
export SAMSA_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G} ${KAFKA_OPTS:-} ${SAMSA_OPTS:-}"
if $daemon; then
  start_daemon kafka-server "$SAMSA_HOME/bin/broker" "$config"
else
  exec "$SAMSA_HOME/bin/broker" "$config"
fi
