#!/usr/bin/env bash
# Stand-in for bin/broker used by selftest/run.sh: reads the Samsa-style server.properties the
# harness writes (listeners=PLAINTEXT://127.0.0.1:P, log.dirs=...) and runs Apache Kafka 4.4.0 in
# KRaft mode on that port, through a wrapper shell like a real launcher script would.
set -euo pipefail
props="$1"
here="$(cd "$(dirname "$0")/.." && pwd)"
klib="$here/target/kafka-lib"
port=$(sed -n 's#^listeners=PLAINTEXT://127.0.0.1:\([0-9]*\)$#\1#p' "$props")
logs=$(sed -n 's#^log.dirs=##p' "$props")
cport=$(sed -n 's#^zookeeper.embedded.port=##p' "$props")
conf="$(dirname "$props")/kraft.properties"
cat > "$conf" <<P
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
controller.listener.names=CONTROLLER
log.dirs=$logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
P
java -cp "$klib/*" kafka.tools.StorageTool format -c "$conf" -t "$(java -cp "$klib/*" kafka.tools.StorageTool random-uuid 2>/dev/null)" 2>&1
echo "launcher: starting with heap options '${SAMSA_OPTS:-}'"
java ${SAMSA_OPTS:-} -Dlog4j2.configurationFile="$here/conf/tools-log4j2.properties" -cp "$klib/*" kafka.Kafka "$conf"
