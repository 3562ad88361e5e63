#!/usr/bin/env bash
# Runs a class of Apache Kafka's tools (tools/ holds kafka-tools and its dependencies):
#   kafka-run-class.sh <class> [args]
# Logging: log4j 2, configured by conf/tools-log4j2.properties (warnings and errors to stderr),
# so a tool prints only its own output. JVM options: KAFKA_HEAP_OPTS (default -Xmx512m), KAFKA_OPTS.
set -euo pipefail
SAMSA_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [[ $# -lt 1 ]]; then
  echo "usage: $(basename "$0") <class> [args]" >&2
  exit 1
fi
exec "$JAVA" ${KAFKA_HEAP_OPTS:--Xmx512m} ${KAFKA_OPTS:-} \
  -Dlog4j2.configurationFile="$SAMSA_HOME/conf/tools-log4j2.properties" \
  -cp "$SAMSA_HOME/tools/*" "$@"
