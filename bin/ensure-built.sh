#!/usr/bin/env bash
# Builds Samsa when the assembled runtime (runtime/target/samsa) is missing or older than any
# pom.xml, bnd file or source file of the repository. Sourced by the other scripts of bin/;
# can also be run on its own. Set SAMSA_SKIP_BUILD=1 to use the runtime as it is.
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
SAMSA_RUNTIME="$ROOT/runtime/target/samsa"
LAUNCHER="$SAMSA_RUNTIME/lib/samsa-launcher.jar"

samsa_build_reason() {
  if [[ ! -f "$LAUNCHER" ]]; then
    echo "runtime/target/samsa is not built yet"
    return
  fi
  local changed
  changed=$(find "$ROOT" \( -name target -o -name .git -o -name data -o -name node_modules -o -path "$ROOT/bench" \) -prune -o \
    -type f \( -name pom.xml -o -name '*.bnd' -o -path '*/src/*' \) -newer "$LAUNCHER" -print -quit)
  if [[ -n "$changed" ]]; then
    echo "${changed#"$ROOT"/} changed"
  fi
}

if [[ "${SAMSA_SKIP_BUILD:-}" != 1 ]]; then
  reason="$(samsa_build_reason)"
  if [[ -n "$reason" ]]; then
    echo "samsa: building ($reason): mvn -B -q -DskipTests install in $ROOT" >&2
    started=$SECONDS
    if ! (cd "$ROOT" && mvn -B -q -DskipTests install) >&2; then
      echo "samsa: build failed" >&2
      exit 1
    fi
    # an up-to-date launcher jar is not rewritten; its time stamp marks this build
    touch "$LAUNCHER"
    echo "samsa: built in $((SECONDS - started)) s" >&2
  fi
fi
