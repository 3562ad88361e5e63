#!/usr/bin/env bash
# Stops the broker that kafka-server-start.sh -daemon started with this LOG_DIR: SIGTERM, which
# shuts it down cleanly (leaderships handed over, logs flushed), then waits for it to exit.
set -euo pipefail
SAMSA_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$SAMSA_HOME/bin/daemon-functions.sh"
stop_daemon kafka-server
