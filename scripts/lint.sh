#!/usr/bin/env bash
# make lint: every formatter and linter the tree is held to, each failing the run.
#   Rust    cargo fmt --check and cargo clippy -D warnings, over the workspace and fuzz/
#   Python  ruff check and ruff format --check over the package, its tests and examples/python
#           (ruff pinned in bindings/python/requirements-dev.txt, config in bindings/python/pyproject.toml)
#   Node    tsc over the typings (index.d.ts, and index.d.mts that re-exports it) through
#           test/types.* and examples/node (typescript pinned in bindings/node/package-lock.json)
# Tools install themselves as the binding scripts do: the Python venv (bindings/python/.venv)
# and the Node packages (npm ci) are made when missing or out of date.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$ROOT"

echo "== cargo fmt --check"
cargo fmt --all -- --check
(cd fuzz && cargo fmt --all -- --check)

echo "== cargo clippy -D warnings"
cargo clippy -q --workspace --all-targets -- -D warnings
# fuzz/ is a workspace of its own; it shares the target dir so that the dependencies checked
# above are not checked again.
(cd fuzz && cargo clippy -q --all-targets -- -D warnings)

echo "== ruff"
PY="$ROOT/bindings/python"
VENV="$PY/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -m pip --disable-pip-version-check -q install -r "$PY/requirements-dev.txt" >"$VENV/pip.log" 2>&1; then
  cat "$VENV/pip.log" >&2; exit 1
fi
PY_FILES=("$PY/python" "$PY/tests" "$ROOT/examples/python")
"$VENV/bin/ruff" check --no-cache --config "$PY/pyproject.toml" "${PY_FILES[@]}"
"$VENV/bin/ruff" format --no-cache --check --config "$PY/pyproject.toml" "${PY_FILES[@]}"

echo "== tsc"
NODE="$ROOT/bindings/node"
# npm ci when node_modules is older than the lock file (or absent).
if [ ! "$NODE/node_modules/.package-lock.json" -nt "$NODE/package-lock.json" ]; then
  (cd "$NODE" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! "$ROOT/examples/node/node_modules/.package-lock.json" -nt "$ROOT/examples/node/package-lock.json" ]; then
  (cd "$ROOT/examples/node" && npm install --no-audit --no-fund --loglevel=error)
fi
(cd "$NODE" && npx tsc -p tsconfig.json)
echo "lint: clean"
