#!/usr/bin/env bash
# Build the extension (debug) into bindings/python/.venv and run the Python suite
# against the mock gateway (every conformance scenario, sync and async, plus the
# Python-only tests), then check the stubs, then run the drop-in programs (tests/dropin/python).
# Usage: scripts/test.sh [pytest args]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$HERE/.venv"

# (1)+(2) venv with pinned tools, the extension built into it
bash "$HERE/scripts/build.sh"

# (3) the mock gateway
(cd "$ROOT" && cargo build -q -p routerkit-mock)
export ROUTERKIT_MOCK="$CARGO_TARGET_DIR/debug/routerkit-mock"

# (4) the suite (tests/conftest.py starts the mock and reads its URL)
cd "$HERE"
"$VENV/bin/python" -m pytest -q tests "$@"

# (5) the stubs against the module, and the package's annotations
"$VENV/bin/python" -m mypy.stubtest routerkit --allowlist "$HERE/stubtest-allowlist.txt" --mypy-config-file "$HERE/mypy.ini"
"$VENV/bin/python" -m mypy --config-file "$HERE/mypy.ini" -p routerkit

# (6) the drop-in programs: written for openai-python, run on it and on routerkit (tests/dropin)
bash "$ROOT/tests/dropin/run-python.sh"
