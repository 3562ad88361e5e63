#!/usr/bin/env bash
# Apache Kafka's zookeeper-server-start.sh: a ZooKeeper server, standalone or one node of an
# ensemble (server.N lines and a myid file in dataDir), run from the ZooKeeper Samsa ships.
#   zookeeper-server-start.sh [-daemon] config/zookeeper.properties
# -daemon runs it in the background: output to $LOG_DIR/zookeeper.out, PID in
# $LOG_DIR/zookeeper.pid (LOG_DIR defaults to logs/ of the runtime; give each server on one
# machine its own). JVM options: KAFKA_HEAP_OPTS (default -Xmx512M -Xms512M) and KAFKA_OPTS.
set -euo pipefail
SAMSA_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$SAMSA_HOME/bin/daemon-functions.sh"
start_args "$0 [-daemon] zookeeper.properties" ZooKeeper "$@"
cp=""
for prefix in zookeeper-osgi- slf4j-api- slf4j-simple- snappy-java-; do
  jar="$(ls "$SAMSA_HOME/bundles/$prefix"*.jar 2>/dev/null | head -1 || true)"
  if [[ -z "$jar" ]]; then
    echo "The runtime has no $prefix*.jar in $SAMSA_HOME/bundles; rebuild it (bin/broker builds it)" >&2
    exit 1
  fi
  cp="${cp:+$cp:}$jar"
done
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cmd=("$JAVA" ${KAFKA_HEAP_OPTS:--Xmx512M -Xms512M} ${KAFKA_OPTS:-} -Dzookeeper.jmx.log4j.disable=true
  -cp "$cp" org.apache.zookeeper.server.quorum.QuorumPeerMain "$config")
if $daemon; then
  start_daemon zookeeper "${cmd[@]}"
else
  exec "${cmd[@]}"
fi
