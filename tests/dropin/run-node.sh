#!/usr/bin/env bash
# The Node drop-in programs: each runs on openai-node (tests/dropin/node/node_modules), then on
# routerkit (bindings/node with its addon built, as bindings/node/scripts/test.sh does) with its
# import lines changed, against one mock gateway; the outputs must be equal. Usage: run-node.sh [PROGRAM...]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
if [ ! "$HERE/node/node_modules/.package-lock.json" -nt "$HERE/node/package-lock.json" ]; then
  # npm ci, or npm install when the lock's copy of bindings/node's metadata has drifted from it.
  (cd "$HERE/node" && { npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error; })
fi
(cd "$ROOT" && cargo build -q -p routerkit-mock)
# node/typed/ is type-checked with the binding's pinned TypeScript (bindings/node: npm ci).
[ -x "$ROOT/bindings/node/node_modules/.bin/tsc" ] || (cd "$ROOT/bindings/node" && npm ci --no-audit --no-fund --loglevel=error)
export DROPIN_TSC="$ROOT/bindings/node/node_modules/.bin/tsc"
# DROPIN_GATEWAY=litellm (as tests/dropin/go/run.sh takes it): through a LiteLLM proxy instead, which
# run-litellm.sh starts and then calls this script with DROPIN_GATEWAY_URL set (compare.py reads it).
if [[ "${DROPIN_GATEWAY:-}" == litellm && -z "${DROPIN_GATEWAY_URL:-}" ]]; then exec "$HERE/run-litellm.sh" node "$@"; fi
exec "${PYTHON:-python3}" "$HERE/compare.py" node "$(command -v node)" "$(command -v node)" "$@"
