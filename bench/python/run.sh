#!/usr/bin/env bash
# routerkit (release wheel) vs openai-python against the release mock gateway, the
# mock pinned to CPU 0 and the clients to CPU 1. Prints each side's numbers and the ratios.
#   bench/python/run.sh [bench.py args, e.g. --chunks 20000 --streams 50]
# After bench/run (its manifest bench/.peers/artifacts.json is there, and BENCH_FROM_TREE is not
# set), it measures what bench/run installed, the shipped wheel in bench/.peers/py-routerkit and
# openai-python in bench/.peers/py-openai, and builds nothing; otherwise a wheel from the tree.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PEERS="$ROOT/bench/.peers"
PYTHON="${PYTHON:-python3}"
OPENAI_VERSION="${OPENAI_VERSION:-3.57.0}"

mkdir -p "$PEERS"
if [ -f "$PEERS/artifacts.json" ] && [ -z "${BENCH_FROM_TREE:-}" ] && [ -x "$PEERS/py-routerkit/bin/python" ] &&
  [ -x "$PEERS/py-openai/bin/python" ] && [ -x "$CARGO_TARGET_DIR/release/routerkit-mock" ]; then
  echo "bench/run's installed artifacts ($PEERS/artifacts.json): $(grep -o '"file": "routerkit-[^"]*whl"' "$PEERS/artifacts.json" || echo 'wheel')"
  RK_PY="$PEERS/py-routerkit/bin/python" OA_PY="$PEERS/py-openai/bin/python"
else
  if [ ! -x "$PEERS/py/bin/python" ]; then "$PYTHON" -m venv "$PEERS/py"; fi
  "$PEERS/py/bin/pip" -q --disable-pip-version-check install "openai==$OPENAI_VERSION"

  if [ ! -x "$PEERS/rk/bin/python" ]; then "$PYTHON" -m venv "$PEERS/rk"; fi
  "$PEERS/rk/bin/pip" -q --disable-pip-version-check install "maturin==1.16.0"
  rm -rf "$PEERS/wheels"
  (cd "$ROOT/bindings/python" && "$PEERS/rk/bin/maturin" build --release --quiet -o "$PEERS/wheels")
  "$PEERS/rk/bin/pip" -q --disable-pip-version-check install --force-reinstall --no-deps "$PEERS"/wheels/routerkit-*.whl
  (cd "$ROOT" && cargo build -q --release -p routerkit-mock)
  RK_PY="$PEERS/rk/bin/python" OA_PY="$PEERS/py/bin/python"
fi
PIN_MOCK=(); PIN_CLIENT=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then PIN_MOCK=(taskset -c 0); PIN_CLIENT=(taskset -c 1); fi

coproc MOCK { exec "${PIN_MOCK[@]}" "$CARGO_TARGET_DIR/release/routerkit-mock" --port 0 --exit-on-stdin-close; }
read -r URL <&"${MOCK[0]}"
trap 'exec {MOCK[1]}>&-; wait "$MOCK_PID" 2>/dev/null || true' EXIT

RK=$("${PIN_CLIENT[@]}" "$RK_PY" "$HERE/bench.py" --client routerkit --url "$URL" "$@")
echo "routerkit: $RK"
OA=$("${PIN_CLIENT[@]}" "$OA_PY" "$HERE/bench.py" --client openai --url "$URL" "$@")
echo "openai:    $OA"
"$PYTHON" - "$RK" "$OA" <<'PY'
import json, sys
rk, oa = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def row(name, key, better_low, target):
    a, b = rk.get(key), oa.get(key)
    if a is None or b is None:
        return
    ratio = (b / a) if better_low else (a / b)
    print(f"{name:44s} routerkit {a:10.2f}   openai {b:10.2f}   routerkit is {ratio:6.1f}x better (target {target})")
print()
row("CPU per streamed chunk (us)", "stream_cpu_us_per_chunk", True, ">= 30x")
row("sequential requests/s", "seq_rps", False, ">= 4x")
row("sequential p50 (ms)", "seq_p50_ms", True, "-")
row("chunks/s over concurrent asyncio streams", "concurrent_chunks_per_s", False, ">= 10x")
row("first-chunk p99 over concurrent streams (ms)", "concurrent_first_chunk_p99_ms", True, "< 100 ms absolute")
row("import time (s)", "import_s", True, ">= 15x")
PY
