#!/usr/bin/env bash
# Apache Kafka's kafka-leader-election.sh (LeaderElectionCommand): preferred or unclean leader
# elections, which the controller runs (ElectLeaders).
set -euo pipefail
BIN="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
exec "$BIN/kafka-run-class.sh" org.apache.kafka.tools.LeaderElectionCommand "$@"
