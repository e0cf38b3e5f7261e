#!/usr/bin/env bash
# Writes include/routerkit.h from the crate's sources with cbindgen.
# Installs cbindgen (pinned) with `cargo install --locked` when it is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
CBINDGEN_VERSION=0.29.4
if ! command -v cbindgen >/dev/null || [[ "$(cbindgen --version)" != "cbindgen $CBINDGEN_VERSION" ]]; then
  echo "installing cbindgen $CBINDGEN_VERSION" >&2
  cargo install cbindgen --locked --version "$CBINDGEN_VERSION" >&2
fi
out="${1:-$here/include/routerkit.h}"
cbindgen --quiet --config "$here/cbindgen.toml" --crate routerkit-c --output "$out" "$here"
