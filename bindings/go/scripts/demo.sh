#!/usr/bin/env bash
# Runs the Go examples (the seed guide's three programs) against THEROUTER_BASE_URL
# (e.g. the mock gateway's http://127.0.0.1:PORT/v1). Needs librouterkit.a built
# (cargo build -p routerkit-c, or `go generate` in bindings/go).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
: "${THEROUTER_BASE_URL:?set THEROUTER_BASE_URL (the mock gateway prints its URL; add /v1)}"
export THEROUTER_API_KEY="${THEROUTER_API_KEY:-sk-demo-key-for-the-mock}"
# otel: OpenTelemetry spans from the receipts; its SDK is that module's own dependency.
for ex in basic stream retry responses otel; do
  echo "== examples/go/$ex"
  (cd "$root/examples/go/$ex" && go run .)
done
