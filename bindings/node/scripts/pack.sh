#!/usr/bin/env bash
# Builds the release addon for this platform and packs the npm tarball (bindings/node/routerkit-<version>.tgz),
# which installs into an empty folder with no build step: the .node binary is inside.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cd "$here"
[ -d node_modules/@napi-rs/cli ] || npm ci --no-audit --no-fund --loglevel=error
npx napi build --platform --release --no-js --dts native.d.ts
strip --strip-debug routerkit.*.node 2>/dev/null || true
rm -f routerkit-*.tgz
npm pack --loglevel=warn
