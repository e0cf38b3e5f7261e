#!/usr/bin/env bash
# Runs the Node examples (examples/node) against a gateway: THEROUTER_BASE_URL (e.g. the mock's
# http://127.0.0.1:PORT/v1) and THEROUTER_API_KEY must be set. Builds the addon if it is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
: "${THEROUTER_BASE_URL:?set THEROUTER_BASE_URL (e.g. the mock gateway URL + /v1)}"
: "${THEROUTER_API_KEY:?set THEROUTER_API_KEY}"

if ! ls "$here"/routerkit.*.node >/dev/null 2>&1; then
  (cd "$here" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npx napi build --platform --no-js --dts native.d.ts)
fi
cd "$root/examples/node"
[ -e node_modules/routerkit ] || npm install --no-audit --no-fund --silent
for example in chat.mjs stream.mjs error-handling.mjs raw-response.mjs responses.mjs; do
  echo "== node examples/node/$example"
  node "$example"
  echo
done
# The OpenTelemetry example has its own package.json: its SDK is never routerkit's dependency.
cd "$root/examples/node/otel"
[ -d node_modules/@opentelemetry/sdk-trace-base ] || npm ci --no-audit --no-fund --silent
echo "== node examples/node/otel/otel-hook.mjs"
node otel-hook.mjs

