#!/usr/bin/env bash
# routerkit (Go) vs go-openai against the same mock gateway, in one run.
# go-openai is fetched with `go get` into bench/.peers/go (a module cache of its own).
# After bench/run installed the shipped Go module (bench/.peers/go-dist-src, a copy of bench/go
# whose go.mod requires the released routerkit module from dist/goproxy) and BENCH_FROM_TREE is
# not set, this runs there and builds nothing from the tree; otherwise against target/release.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="$root/target"
export GOMODCACHE="$root/bench/.peers/go" GOFLAGS="-modcacherw"
dist_src="$root/bench/.peers/go-dist-src"
if [ -z "${BENCH_FROM_TREE:-}" ] && grep -qs '"mode": "dist"' "$root/bench/.peers/artifacts.json" &&
  [ -f "$dist_src/go.mod" ] && ! grep -q '^replace' "$dist_src/go.mod" &&
  [ -x "$CARGO_TARGET_DIR/release/routerkit-mock" ]; then
  echo "bench/run's installed Go module: $(grep 'routerkit/bindings/go' "$dist_src/go.mod" | head -1)"
  cd "$dist_src"
  GOPROXY="file://$root/dist/goproxy,$(go env GOPROXY)" GOSUMDB=off GOFLAGS="-mod=mod -modcacherw -buildvcs=false" \
    GOWORK=off go run . -mock "$CARGO_TARGET_DIR/release/routerkit-mock" "$@"
  exit
fi
cargo build --release -p routerkit-c -p routerkit-mock
cd "$here"
go mod download github.com/sashabaranov/go-openai   # version pinned in go.mod (v1.43.0, the latest v1.4x)
go run -tags routerkit_release . -mock "$CARGO_TARGET_DIR/release/routerkit-mock" "$@"
