#!/usr/bin/env bash
# make soak — the soak of issue 7, per language (Rust, Python, Node, Go), each against its
# own fresh mock gateway: SOAK_CONC (1,000) streams SOAK_CONCURRENCY (100) at a time, then
# SOAK_SEQ (10,000) sequential streams, with the fault mix of plan.json (429s with
# retry-after-ms, 5xx, resets before and during the body, stalls against a short idle
# timeout, error events mid-stream, truncated streams, client-side cancels).
# Each driver checks every call (full expected content or a typed error; in the sequential
# phase the exact expected outcome and attempt count), RSS (end within 10 % of after the
# first calls), and its sockets (within the pool, equal to the mock's open_connections).
# A driver that hangs is ended by its own per-call watchdog, and by `timeout` here.
#
#   scripts/soak/run.sh                  full run (about 3 min per language)
#   SOAK_QUICK=1 scripts/soak/run.sh     500 sequential + 100 concurrent, for development
#   SOAK_LANGS="rust go" scripts/soak/run.sh
# Output: scripts/soak/out/<lang>.json (the SOAK-RESULT line), <lang>.log, summary.md.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
if [[ "${SOAK_QUICK:-0}" == 1 ]]; then
  export SOAK_SEQ="${SOAK_SEQ:-500}" SOAK_CONC="${SOAK_CONC:-100}"
  LIMIT=300
else
  export SOAK_SEQ="${SOAK_SEQ:-10000}" SOAK_CONC="${SOAK_CONC:-1000}"
  LIMIT=1800
fi
export SOAK_CONCURRENCY="${SOAK_CONCURRENCY:-100}"
LANGS="${SOAK_LANGS:-rust python node go}"
OUT="$HERE/out"
mkdir -p "$OUT"
cd "$ROOT"

echo "== build (debug)"
cargo build -q -p routerkit-mock -p routerkit-c
for lang in $LANGS; do
  case $lang in
    rust) cargo test -q --no-run -p routerkit --test hardening 2>/dev/null ;;
    python) bash bindings/python/scripts/build.sh ;;
    node) (cd bindings/node && npm ci --no-audit --no-fund --loglevel=error && npx napi build --platform --no-js --dts native.d.ts >/dev/null) ;;
    go) (cd "$HERE/go" && go build -o "$OUT/soak-go" .) ;;
    *) echo "unknown language $lang" >&2; exit 2 ;;
  esac
done

source "$ROOT/scripts/mock.sh"
status=0
for lang in $LANGS; do
  echo "== $lang: $SOAK_CONC concurrent ($SOAK_CONCURRENCY at a time), then $SOAK_SEQ sequential streams"
  mock_start
  set +e
  case $lang in
    rust) SOAK_MOCK_URL="$MOCK_URL" timeout "$LIMIT" cargo test -q -p routerkit --test hardening -- --ignored --exact soak::soak --nocapture ;;
    python) timeout "$LIMIT" bindings/python/.venv/bin/python "$HERE/soak.py" "$MOCK_URL" ;;
    # A fixed young generation: V8 otherwise grows its new space under allocation pressure
    # (heapTotal 24 -> 41 MB within 16,000 calls while heapUsed stays ~6 MB), which moves RSS by
    # 10-20 % without any leak; fixed, RSS measures what the run keeps.
    node) timeout "$LIMIT" node --expose-gc --min-semi-space-size=16 --max-semi-space-size=16 "$HERE/soak.js" "$MOCK_URL" ;;
    go) timeout "$LIMIT" "$OUT/soak-go" "$MOCK_URL" ;;
  esac >"$OUT/$lang.log" 2>&1
  rc=$?
  set -e
  mock_stop
  wait "$MOCK_PID" 2>/dev/null || true   # reap it before the next coproc
  grep -o 'SOAK-RESULT .*' "$OUT/$lang.log" | head -1 | cut -d' ' -f2- >"$OUT/$lang.json" || true
  if [[ $rc -ne 0 || ! -s "$OUT/$lang.json" ]]; then
    echo "   FAILED (exit $rc; $( [[ $rc -eq 124 ]] && echo 'the outer watchdog ended it; ' )see $OUT/$lang.log)"
    tail -5 "$OUT/$lang.log" | sed 's/^/   | /'
    status=1
  else
    echo "   ok"
  fi
done
# Issue 22's memory bounds at full length: a 10,000,000-chunk stream's peak RSS, a 12 MB
# many-choices body, 10 GiB gzip bombs streamed and not (each test in a fresh process, against
# the test suite's own mock). SOAK_MEMORY=0 skips it; SOAK_MEMORY_CHUNKS sets the length.
if [[ "${SOAK_MEMORY:-1}" == 1 ]]; then
  export ROUTERKIT_MEMORY_CHUNKS="${SOAK_MEMORY_CHUNKS:-$([[ "${SOAK_QUICK:-0}" == 1 ]] && echo 1000000 || echo 10000000)}"
  for lang in $LANGS; do
    echo "== $lang: memory bounds, a stream of $ROUTERKIT_MEMORY_CHUNKS chunks"
    set +e
    case $lang in
      rust) timeout "$LIMIT" cargo test -q -p routerkit --test bounds memory_ -- --nocapture ;;
      python) (cd bindings/python && timeout "$LIMIT" .venv/bin/python -m pytest -q tests/test_memory.py -s) ;;
      node) (cd bindings/node && timeout "$LIMIT" node --test test/memory.test.js) ;;
      go) (cd bindings/go && timeout "$LIMIT" go test -count=1 -v -run '^TestMemory' ./...) ;;
    esac >"$OUT/$lang-memory.log" 2>&1
    rc=$?
    set -e
    grep -o 'MEMORY .*' "$OUT/$lang-memory.log" | sed 's/^/   /'
    if [[ $rc -ne 0 ]]; then
      echo "   FAILED (exit $rc; see $OUT/$lang-memory.log)"
      status=1
    fi
  done
fi
python3 "$HERE/summary.py" "$OUT" $LANGS | tee "$OUT/summary.md"
exit $status
