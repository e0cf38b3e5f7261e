# routerkit — one engine, four languages.
#   make demo   run every example against the bundled mock gateway
#   make test   run make lint, then every test suite (Rust, Python, Node, Go, C ABI)
#   make lint   formatters and linters: cargo fmt, clippy, ruff, tsc (scripts/lint.sh)
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(CURDIR)/target
# Crates loaded by another runtime: the workspace test run leaves them out (routerkit-node's
# unit tests run from bindings/node/scripts/test.sh).
NO_RUST_TESTS := --exclude routerkit-python --exclude routerkit-node

.PHONY: all build demo lint test test-rust test-python test-node test-go test-dropin-litellm litellm-prefetch test-peer-go docs mock bench bench-quick bench-scale bench-hedge clean fuzz sanitize soak soak-quick dist dist-check

all: build

# One debug build of the workspace serves the mock, the examples, the C ABI and the tests.
build:
	cargo build --workspace $(NO_RUST_TESTS)

mock:
	cargo build -p routerkit-mock

demo: build
	scripts/demo.sh

# litellm-prefetch first: the LiteLLM proxy the drop-in programs run through (test-dropin-litellm,
# last) installs from PyPI in the background while the others build and run.
test: litellm-prefetch lint build test-rust docs test-python test-node test-go test-dropin-litellm

# cargo fmt --check and clippy -D warnings (workspace and fuzz/), ruff over the Python package,
# tsc over the Node typings; each installs its tool (pinned) when missing.
lint:
	scripts/lint.sh

test-rust:
	cargo test --workspace $(NO_RUST_TESTS)

# Each binding's script installs what it needs (venv + maturin, npm packages, Go modules).
test-python:
	bindings/python/scripts/test.sh

test-node:
	bindings/node/scripts/test.sh

# Also runs the C ABI test under valgrind and checks the committed header.
test-go:
	bindings/go/scripts/test.sh

# Each binding's test.sh runs its drop-in programs (tests/dropin) against the mock; this runs every
# language's through one LiteLLM proxy (from PyPI, pinned in scripts/litellm.sh, cached under
# ~/.cache/routerkit) in front of the mock. What LiteLLM cannot serve: tests/dropin/litellm-unserved.txt.
test-dropin-litellm:
	tests/dropin/run-litellm.sh

litellm-prefetch:
	scripts/litellm.sh prefetch

# go-openai's own tests (chat, stream, models, embeddings, errors, config, completions,
# jsonschema) against the Go package, only their import line changed; go-openai is fetched
# through the Go module proxy into a temp dir (network), so this is not part of `make test`.
# Known failures and why: bindings/go/README.md.
test-peer-go:
	bindings/go/scripts/test-peer.sh

# The crate is the Rust surface: its docs must build cleanly.
docs:
	RUSTDOCFLAGS="-D warnings" cargo doc -p routerkit --no-deps

# Every surface against its peers, then hedged streams' first-token p50/p99, then the scale curve
# (1 to 10,000 concurrent streams per process, every language and peer): about 20 min on the
# quiet 2-core VM (up to an hour beside other builds), plus `make dist` when dist/ is older than the sources. bench/results/<date>.md, .png, -curve.png, .json
bench:
	bench/run

# Only the scale curve (8-30 min): bench/results/<date>-scale.md, -scale-curve.png, .json
bench-scale:
	bench/run --scale only

# Only hedged streams' first-token p50/p99 with and without hedge_after (about 2 min):
# bench/results/<date>-hedge.md, .json
bench-hedge:
	bench/run --hedge only

# The whole harness with small counts and one run (scale curve at 1-100 streams); numbers not judged: bench/out/quick-<date>.*
bench-quick:
	bench/run --quick

# Every fuzz target in fuzz/ for FUZZ_SECONDS (default 60) each, on stable Rust; installs cargo-fuzz
# if missing. Own target dir (fuzz/target). Crashing inputs land in fuzz/artifacts/. See fuzz/README.md.
fuzz:
	scripts/fuzz.sh

# C ABI under ASan+LSan+UBSan, go test -asan, Python suite with PYTHONMALLOC=debug -X dev,
# Node suite with --expose-gc (about 2 min). Logs and summary in target/sanitize/.
sanitize:
	scripts/sanitize.sh

# Per language: 1,000 concurrent (100 at a time) then 10,000 sequential streams against a fresh
# mock with a fault mix (scripts/soak/plan.json); checks outcomes, RSS and sockets (about 12 min).
# Figures in scripts/soak/out/summary.md. soak-quick: 100 + 500, for development.
soak:
	scripts/soak/run.sh

soak-quick:
	SOAK_QUICK=1 scripts/soak/run.sh

# What users install, into dist/ (not part of `make test`: release builds, about 15 min): the
# manylinux2014 abi3 wheel and sdist, the npm packages in napi-rs's layout, the Go module with its
# static library as a module proxy tree, the crates. Shipping profile `dist` (release code, no debug
# info, stripped), linked by zig against glibc 2.17; sizes printed and kept in dist/SIZES.txt.
dist:
	scripts/dist/build.sh

# Installs dist/ as users do, from local registries on 127.0.0.1 (pypiserver, verdaccio, a file
# GOPROXY) and the packaged crate, with cargo and rustc off PATH, and runs the examples on the mock.
dist-check:
	scripts/dist/check.sh

clean:
	cargo clean
