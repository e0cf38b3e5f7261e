#!/usr/bin/env bash
# Build the extension (debug) into bindings/python/.venv and run the Python suite
# against the mock gateway, then check the stubs. Usage: scripts/test.sh [pytest args]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
VENV="$HERE/.venv"

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -m pip --disable-pip-version-check -q install -r "$HERE/requirements-dev.txt" >/dev/null 2>"$VENV/pip.log"; then
  cat "$VENV/pip.log" >&2; exit 1
fi

# (2) the extension, debug, into the venv
(cd "$HERE" && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop --quiet)
"$VENV/bin/python" -c "import routerkit._routerkit" 

# (3) the mock gateway
MOCK="$CARGO_TARGET_DIR/debug/routerkit-mock"
(cd "$ROOT" && cargo build -q -p routerkit-mock)
export ROUTERKIT_MOCK="$MOCK"

# (4) the suite (conftest.py starts the mock)
cd "$HERE"
"$VENV/bin/python" -m pytest -q tests "$@"

# (5) stubs against the module
"$VENV/bin/python" -m mypy.stubtest routerkit --allowlist "$HERE/stubtest-allowlist.txt" --mypy-config-file "$HERE/mypy.ini"
"$VENV/bin/python" -m mypy --config-file "$HERE/mypy.ini" -p routerkit
echo "stubtest: ok"
