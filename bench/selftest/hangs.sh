#!/usr/bin/env bash
# Stand-in for bin/broker that starts but never listens, for selftest/run.sh.
echo "launcher: waiting forever (simulated hang)"
exec sleep 600
