#!/usr/bin/env bash
# routerkit (Go) vs go-openai against the same mock gateway, in one run.
# go-openai is fetched with `go get` into bench/.peers/go (a module cache of its own).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="$root/target"
cargo build --release -p routerkit-c -p routerkit-mock
export GOMODCACHE="$root/bench/.peers/go" GOFLAGS="-modcacherw"
cd "$here"
go mod download github.com/sashabaranov/go-openai   # version pinned in go.mod (v1.43.0, the latest v1.4x)
go run -tags routerkit_release . -mock "$root/target/release/routerkit-mock" "$@"
