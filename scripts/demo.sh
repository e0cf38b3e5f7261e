#!/usr/bin/env bash
# Starts the mock gateway, runs every language's examples against it, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:=$PWD/target}"
export CARGO_TARGET_DIR
source scripts/mock.sh
mock_start
trap mock_stop EXIT

# The examples read these, as the seed guide's programs read theirs.
export THEROUTER_BASE_URL="$MOCK_URL/v1"
export THEROUTER_API_KEY="sk-demo-not-a-real-key"

section() { printf '\n=== %s ===\n' "$1"; }
for example in basic stream retry otel_hook; do
  section "rust: $example"
  "$CARGO_TARGET_DIR/debug/$example"
done
for lang in python node go; do
  section "$lang"
  bindings/$lang/scripts/demo.sh
done
