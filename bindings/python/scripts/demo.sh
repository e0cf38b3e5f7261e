#!/usr/bin/env bash
# Run the Python examples against a gateway: THEROUTER_BASE_URL (e.g. the mock's
# http://127.0.0.1:PORT/v1) and THEROUTER_API_KEY must be set. Uses the venv that
# scripts/build.sh makes (building it on a fresh clone), or PYTHON=/path/to/python
# with routerkit installed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
: "${THEROUTER_BASE_URL:?set THEROUTER_BASE_URL (the mock gateway: http://127.0.0.1:PORT/v1)}"
: "${THEROUTER_API_KEY:?set THEROUTER_API_KEY}"
if [ -n "${PYTHON:-}" ]; then
  PY="$PYTHON"
else
  PY="$HERE/.venv/bin/python"
  "$PY" -c "import routerkit" 2>/dev/null || bash "$HERE/scripts/build.sh"
fi
for ex in basic stream retry raw_response responses; do
  echo "== examples/python/$ex.py"
  "$PY" "$ROOT/examples/python/$ex.py"
done
# The OpenTelemetry example's SDK goes beside it (examples/python/otel/.deps), never into
# routerkit's dependencies; installed once, from its requirements.txt.
OTEL="$ROOT/examples/python/otel"
if [ ! -d "$OTEL/.deps/opentelemetry/sdk" ]; then
  "$PY" -m pip install --quiet --disable-pip-version-check --target "$OTEL/.deps" -r "$OTEL/requirements.txt"
fi
echo "== examples/python/otel/otel_hook.py"
PYTHONPATH="$OTEL/.deps" "$PY" "$OTEL/otel_hook.py"

