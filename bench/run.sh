#!/usr/bin/env bash
# Samsa vs Apache Kafka 4.4.0 benchmark; see bench/README.md. Builds the harness (io.samsa.bench)
# when its sources changed, fetching Apache Kafka 4.4.0 into target/kafka-lib the first time,
# then runs it with the given options (bench/run.sh --help).
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -f "$bench/target/kafka-lib/kafka_2.13-4.4.0.jar" ] || [ ! -d "$bench/target/classes" ] \
   || [ -n "$(find "$bench/src/main" "$bench/pom.xml" -newer "$bench/target/classes" -print -quit)" ]; then
  mvn -B -q -f "$bench/pom.xml" -DskipTests package >&2
  touch "$bench/target/classes"
fi
# the connection-scale run holds thousands of sockets in this JVM
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec java -Xmx512m -Dbench.dir="$bench" -Dlog4j2.configurationFile="$bench/conf/tools-log4j2.properties" \
  -cp "$bench/target/classes:$bench/target/kafka-lib/*" io.samsa.bench.Bench "$@"
