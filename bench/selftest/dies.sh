#!/usr/bin/env bash
# Stand-in for bin/broker that fails at once, for selftest/run.sh.
echo "launcher: cannot read configuration $1 (simulated start-up failure)"
exit 3
