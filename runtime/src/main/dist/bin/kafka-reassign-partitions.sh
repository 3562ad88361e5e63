#!/usr/bin/env bash
# Apache Kafka's kafka-reassign-partitions.sh (ReassignPartitionsCommand): moves partitions between
# brokers (--generate, --execute [--throttle], --verify, --cancel, --list), which the controller runs
# (AlterPartitionReassignments, ListPartitionReassignments).
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.reassign.ReassignPartitionsCommand "$@"
