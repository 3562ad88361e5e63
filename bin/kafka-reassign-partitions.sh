#!/usr/bin/env bash
# Apache Kafka's tool of the same name, run from the assembled runtime (built first when needed).
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/ensure-built.sh"
exec "$SAMSA_RUNTIME/bin/$(basename "${BASH_SOURCE[0]}")" "$@"
