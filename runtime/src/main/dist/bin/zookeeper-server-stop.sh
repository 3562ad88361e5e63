#!/usr/bin/env bash
# Stops the ZooKeeper server that zookeeper-server-start.sh -daemon started with this LOG_DIR
# (SIGTERM, then waits for it to exit).
set -euo pipefail
SAMSA_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$SAMSA_HOME/bin/daemon-functions.sh"
stop_daemon zookeeper
