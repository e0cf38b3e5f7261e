#!/usr/bin/env bash
# Builds librouterkit.a (debug) and the mock gateway, checks the C header,
# runs the C ABI test under valgrind, then go vet and go test -race.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
# The cgo lines link $root/target/debug/librouterkit.a: build there.
if [[ "$CARGO_TARGET_DIR" != "$root/target" ]]; then
  echo "note: CARGO_TARGET_DIR=$CARGO_TARGET_DIR; the Go package links $root/target/debug/librouterkit.a" >&2
fi
"$root/bindings/c/scripts/test.sh"   # cargo build -p routerkit-c -p routerkit-mock, header check, C test
cd "$here"
go vet ./...
go test -race -count=1 ./...
# The memory bounds (memory_test.go) measure RSS, which -race's shadow memory would swamp.
go test -count=1 -run '^TestMemory' ./...
# The examples build against the package (replace directive).
for ex in "$root"/examples/go/*/; do
  (cd "$ex" && go vet ./...)
done
# jsonschema has no tests of its own here: go-openai's run against it (make test-peer-go),
# and the drop-in programs use it. Each program in tests/dropin/go is written for
# go-openai; it runs on go-openai and on this package (import line changed), outputs compared.
"$root/tests/dropin/go/run.sh"
