#!/usr/bin/env bash
# The Python drop-in programs: each runs on openai-python (tests/dropin/python/.venv), then on
# routerkit (bindings/python/.venv, built by bindings/python/scripts/build.sh) with its import
# lines changed, against one mock gateway; the outputs must be equal. Usage: run-python.sh [PROGRAM...]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PEER="$HERE/python/.venv"
RK="$ROOT/bindings/python/.venv"
[ -x "$PEER/bin/python" ] || "${PYTHON:-python3}" -m venv "$PEER"
if ! "$PEER/bin/python" -m pip --disable-pip-version-check -q install -r "$HERE/python/requirements.txt" >"$PEER/pip.log" 2>&1; then
  cat "$PEER/pip.log" >&2; exit 1
fi
[ -x "$RK/bin/python" ] || bash "$ROOT/bindings/python/scripts/build.sh"
(cd "$ROOT" && cargo build -q -p routerkit-mock)
# types_imports.py is also type-checked with each side's mypy (pinned alike: requirements.txt, requirements-dev.txt).
export DROPIN_MYPY_PEER="$PEER/bin/python" DROPIN_MYPY_ROUTERKIT="$RK/bin/python"
# DROPIN_GATEWAY=litellm (as tests/dropin/go/run.sh takes it): through a LiteLLM proxy instead, which
# run-litellm.sh starts and then calls this script with DROPIN_GATEWAY_URL set (compare.py reads it).
if [[ "${DROPIN_GATEWAY:-}" == litellm && -z "${DROPIN_GATEWAY_URL:-}" ]]; then exec "$HERE/run-litellm.sh" python "$@"; fi
exec "$PEER/bin/python" "$HERE/compare.py" python "$PEER/bin/python" "$RK/bin/python" "$@"
