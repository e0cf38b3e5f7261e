#!/usr/bin/env bash
# Node benchmark: routerkit vs openai-node against the mock gateway (pinned to one core when taskset exists).
# Measures CPU per streamed chunk (one 100k-chunk stream), sequential requests/s with p50/p99,
# chunks/s over 200 concurrent streams of 1,000 chunks, and start-up cost of require(); prints ratios.
# Not a test: run it by hand (bench/node/run.sh). openai-node is installed into bench/.peers/node.
# After bench/run (its manifest bench/.peers/artifacts.json is there, and BENCH_FROM_TREE is not
# set), routerkit is the package bench/run installed (the npm tarballs from dist/, or its build
# tree copy) and nothing is built; otherwise the release addon is built into bindings/node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
OPENAI_VERSION="${OPENAI_VERSION:-7.59.0}"

peers="$root/bench/.peers/node"
if [ ! -f "$peers/node_modules/openai/package.json" ] || ! grep -q "\"version\": \"$OPENAI_VERSION\"" "$peers/node_modules/openai/package.json"; then
  mkdir -p "$peers"
  [ -f "$peers/package.json" ] || echo '{"private":true}' > "$peers/package.json"
  npm install --prefix "$peers" --no-audit --no-fund --loglevel=error "openai@$OPENAI_VERSION"
fi
manifest="$root/bench/.peers/artifacts.json"
if [ -f "$manifest" ] && [ -z "${BENCH_FROM_TREE:-}" ] && [ -x "$CARGO_TARGET_DIR/release/routerkit-mock" ]; then
  ROUTERKIT_MODULE="$(node -e 'console.log(require(process.argv[1]).node_module)' "$manifest")"
  echo "bench/run's installed routerkit package: $ROUTERKIT_MODULE"
else
  (cd "$root/bindings/node" && { [ -d node_modules/@napi-rs/cli ] || npm ci --no-audit --no-fund --loglevel=error; } && npx napi build --platform --release --no-js --dts native.d.ts >/dev/null)
  (cd "$root" && cargo build --release -p routerkit-mock -q)
  ROUTERKIT_MODULE="$root/bindings/node"
fi
export ROUTERKIT_MODULE

pin=()
cpin=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 0); cpin=(taskset -c 1-$(($(nproc) - 1))); fi
rm -f "$here/.mock-url"
"${pin[@]}" "$CARGO_TARGET_DIR/release/routerkit-mock" --port 0 > "$here/.mock-url" &
mock_pid=$!
trap 'kill $mock_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$here/.mock-url" ] && break; sleep 0.1; done
url="$(head -1 "$here/.mock-url")"
echo "mock: $url (pid $mock_pid${pin:+, pinned to core 0; clients on the other cores}); node $(node --version); openai-node $OPENAI_VERSION"

out="$here/.results.jsonl"
: > "$out"
for what in stream seq concurrent; do
  for which in openai routerkit; do
    "${cpin[@]}" node "$here/bench.js" "$which" "$what" "$url" | tee -a "$out"
  done
done
startup() { # median wall ms of `node -e "require(X)"` minus an empty node
  node -e '
    const { execFileSync } = require("node:child_process");
    const run = (code) => { const t = process.hrtime.bigint(); execFileSync(process.execPath, ["-e", code]); return Number(process.hrtime.bigint() - t) / 1e6; };
    const med = (code) => { const xs = Array.from({ length: 15 }, () => run(code)).sort((a, b) => a - b); return xs[7]; };
    const base = med("");
    console.log(JSON.stringify({ which: process.argv[1], what: "startup", startup_ms: med(`require(${JSON.stringify(process.argv[2])})`) - base }));
  ' "$1" "$2"
}
startup openai "$peers/node_modules/openai" | tee -a "$out"
startup routerkit "$ROUTERKIT_MODULE" | tee -a "$out"

node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const get = (which, what) => rows.find((r) => r.which === which && r.what === what);
  const o = (w) => get("openai", w), r = (w) => get("routerkit", w);
  const f = (x, d = 2) => Number(x).toFixed(d);
  console.log("\n| measure | openai-node | routerkit | ratio | target |");
  console.log("|---|---|---|---|---|");
  console.log(`| CPU per streamed chunk (100k chunks) | ${f(o("stream").us_per_chunk)} µs | ${f(r("stream").us_per_chunk)} µs | ${f(r("stream").us_per_chunk / o("stream").us_per_chunk, 3)}× | ≤ 0.25× |`);
  console.log(`| sequential requests/s | ${f(o("seq").rps, 0)} | ${f(r("seq").rps, 0)} | ${f(r("seq").rps / o("seq").rps)}× | ≥ 3× |`);
  console.log(`| sequential p50 / p99 | ${f(o("seq").p50_ms)} / ${f(o("seq").p99_ms)} ms | ${f(r("seq").p50_ms)} / ${f(r("seq").p99_ms)} ms | | p99 < 2 ms |`);
  console.log(`| chunks/s, 200 concurrent streams × 1,000 | ${f(o("concurrent").chunks_per_s, 0)} | ${f(r("concurrent").chunks_per_s, 0)} | ${f(r("concurrent").chunks_per_s / o("concurrent").chunks_per_s)}× | ≥ 3× |`);
  console.log(`| start-up (require) | ${f(o("startup").startup_ms, 1)} ms | ${f(r("startup").startup_ms, 1)} ms | ${f(r("startup").startup_ms / o("startup").startup_ms)}× | < 1× |`);
' "$out"
