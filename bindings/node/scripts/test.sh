#!/usr/bin/env bash
# The Node binding's build and tests, one command (the Makefile's `test` calls it):
# npm ci, the addon (debug), the mock gateway, `node --test`, `tsc --noEmit` over the examples,
# then the drop-in programs (tests/dropin/node).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

cd "$here"
npm ci --no-audit --no-fund --loglevel=error
npx napi build --platform --no-js --dts native.d.ts
# The addon's own unit tests (src/shapes.rs); napi resolves Node's symbols only when loaded, so they link.
(cd "$root" && cargo test -p routerkit-node --lib)
(cd "$root" && cargo build -p routerkit-mock)
(cd "$root/examples/node" && npm install --no-audit --no-fund --loglevel=error)

npx tsc -p tsconfig.json
echo "tsc --noEmit: examples/node and test/types.* type-check against index.d.ts and index.d.mts"
# --expose-gc: test/gc.test.js checks that dropped streams and clients are collected.
node --expose-gc --test test/*.test.js
# The drop-in programs: written for openai-node, run on it and on routerkit (tests/dropin).
bash "$root/tests/dropin/run-node.sh"
