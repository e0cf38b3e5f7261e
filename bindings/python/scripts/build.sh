#!/usr/bin/env bash
# Make bindings/python/.venv (pinned dev tools from requirements-dev.txt) and build the
# extension into it with maturin (debug; `--release` passes through).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
VENV="$HERE/.venv"

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -m pip --disable-pip-version-check -q install -r "$HERE/requirements-dev.txt" >"$VENV/pip.log" 2>&1; then
  cat "$VENV/pip.log" >&2; exit 1
fi
(cd "$HERE" && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop --quiet "$@")
"$VENV/bin/python" -c "import routerkit"
