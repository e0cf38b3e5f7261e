#!/usr/bin/env bash
# Fails when the committed include/routerkit.h differs from what cbindgen generates now.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$here/scripts/gen-header.sh" "$tmp"
if ! diff -u "$here/include/routerkit.h" "$tmp"; then
  echo "bindings/c/include/routerkit.h is out of date: run bindings/c/scripts/gen-header.sh and commit it" >&2
  exit 1
fi
echo "routerkit.h is up to date"
