#!/usr/bin/env bash
# make sanitize: the bindings' suites under memory checkers (not part of `make test`).
#   1. C ABI: bindings/c/tests/abi_test.c built with gcc -fsanitize=address,undefined
#      (LeakSanitizer included) against the debug librouterkit.a. The Rust side is not
#      instrumented, but ASan's allocator serves its malloc/free too: leaks, double and
#      invalid frees of Rust objects, and bad accesses by the C side are caught.
#      (`make test` already runs the same program under valgrind memcheck.)
#   2. Go: go test -asan over bindings/go (cgo C code instrumented, LeakSanitizer at exit).
#   3. Python: the pytest suite with PYTHONMALLOC=debug and -X dev (debug allocator hooks:
#      buffer over/underflows, use after free, allocator calls without the GIL are fatal;
#      asyncio debug mode; ResourceWarnings shown).
#   4. Node: the node --test suite with --expose-gc, including test/gc.test.js
#      (dropped streams and clients are collected).
# Each checker is first shown a planted leak, to prove it is live on this machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
out="$CARGO_TARGET_DIR/sanitize"
rm -rf "$out"
mkdir -p "$out"
summary=()
note() { summary+=("$1"); echo "sanitize: $1"; }

cd "$root"
cargo build -p routerkit-c -p routerkit-mock
mock_bin="$CARGO_TARGET_DIR/debug/routerkit-mock"

# --- canaries: a planted leak must be reported -------------------------------------
cat >"$out/leak.c" <<'C'
#include <stdlib.h>
#include <string.h>
void *volatile keep;
int main(void) { char *p = malloc(4096); memset(p, 1, 4096); keep = p; keep = 0; return 0; }
C
gcc -g -fsanitize=address "$out/leak.c" -o "$out/leak"
if "$out/leak" >"$out/leak.log" 2>&1 || ! grep -q "LeakSanitizer: detected memory leaks" "$out/leak.log"; then
  echo "sanitize: LeakSanitizer did not report a planted leak in C (see $out/leak.log)" >&2; exit 1
fi
mkdir -p "$out/gocanary"
cat >"$out/gocanary/leak.go" <<'GO'
package canary

// #include <stdlib.h>
// #include <string.h>
// void *volatile keep;
// static void leak(void) { char *p = malloc(4096); memset(p, 1, 4096); keep = p; keep = 0; }
import "C"

func leak() { C.leak() }
GO
printf 'package canary\n\nimport "testing"\n\nfunc TestLeak(t *testing.T) { leak() }\n' >"$out/gocanary/leak_test.go"
printf 'module canary\n\ngo 1.22\n' >"$out/gocanary/go.mod"
if (cd "$out/gocanary" && go test -asan -count=1 . >"$out/gocanary.log" 2>&1) || ! grep -q "LeakSanitizer: detected memory leaks" "$out/gocanary.log"; then
  echo "sanitize: go test -asan did not report a planted leak (see $out/gocanary.log)" >&2; exit 1
fi
note "canaries: ASan/LSan (gcc) and go test -asan each reported a planted 4096-byte leak"

# --- 1. C ABI under ASan + LSan + UBSan --------------------------------------------
coproc MOCK { exec "$mock_bin" --port 0 --exit-on-stdin-close; }
trap 'exec {MOCK[1]}>&- 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true' EXIT
read -r url <&"${MOCK[0]}"
gcc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g -O1 \
  -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
  -I bindings/c/include bindings/c/tests/abi_test.c "$CARGO_TARGET_DIR/debug/librouterkit.a" -lm -ldl -lpthread \
  -o "$out/abi_test_asan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1 "$out/abi_test_asan" "$url/v1" >"$out/c.log" 2>&1 || {
  tail -n 40 "$out/c.log" >&2; echo "sanitize: C ABI test failed under ASan/UBSan" >&2; exit 1; }
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$out/c.log"; then
  grep -E -A10 "ERROR:|runtime error:" "$out/c.log" >&2; exit 1
fi
note "C ABI (ASan+LSan+UBSan): $(tail -n 1 "$out/c.log"); sanitizer reports: 0"

# --- 2. Go under -asan --------------------------------------------------------------
# The peak-RSS bounds (TestMemory*) are left out: ASan's shadow memory and quarantine add to
# RSS what the engine does not use (the 100 MiB bomb bound read 124 MiB under -asan); they run
# in plain go test and in make soak.
(cd bindings/go && go test -asan -count=1 -v -skip '^TestMemory' ./... >"$out/go.log" 2>&1) || {
  grep -E -- "--- FAIL|ERROR:|SUMMARY" "$out/go.log" | head -n 20 >&2; tail -n 30 "$out/go.log" >&2
  echo "sanitize: go test -asan failed" >&2; exit 1; }
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)" "$out/go.log"; then exit 1; fi
go_top="$(grep -c '^--- PASS' "$out/go.log" || true)"
go_all="$(grep -c -- '--- PASS' "$out/go.log" || true)"
go_fail="$(grep -c -- '--- FAIL' "$out/go.log" || true)"
go_skip="$(grep -c -- '--- SKIP' "$out/go.log" || true)"
note "Go (go test -asan, without the TestMemory RSS bounds): $go_top tests passed ($go_all with subtests), $go_fail failed, $go_skip skipped; sanitizer reports: 0"

# --- 3. Python under PYTHONMALLOC=debug and -X dev -----------------------------------
bash bindings/python/scripts/build.sh
(cd bindings/python && PYTHONMALLOC=debug PYTHONFAULTHANDLER=1 ROUTERKIT_MOCK="$mock_bin" \
  .venv/bin/python -X dev -m pytest -q -p no:cacheprovider -W error::ResourceWarning tests >"$out/python.log" 2>&1) || {
  tail -n 40 "$out/python.log" >&2; echo "sanitize: the Python suite failed under PYTHONMALLOC=debug -X dev" >&2; exit 1; }
if grep -qE "Fatal Python error|Debug memory block|bad ID|API misuse" "$out/python.log"; then
  grep -E -B2 -A10 "Fatal Python error|Debug memory block" "$out/python.log" >&2; exit 1
fi
# The only ResourceWarnings allowed are the test fixtures' own subprocess pipes (the
# mock's stdout, `unclosed file <_io.BufferedReader`); an unclosed socket, transport or
# event loop from the library fails the run.
res_all="$(grep -c "ResourceWarning: unclosed" "$out/python.log" || true)"
res_lib="$(grep "ResourceWarning: unclosed" "$out/python.log" | grep -vc "unclosed file <_io.BufferedReader" || true)"
if [[ "$res_lib" != 0 ]]; then
  grep -B12 "ResourceWarning: unclosed" "$out/python.log" | grep -v BufferedReader >&2
  echo "sanitize: $res_lib ResourceWarning(s) not from the test fixtures" >&2; exit 1
fi
note "Python (PYTHONMALLOC=debug, -X dev): $(grep -E '[0-9]+ passed' "$out/python.log" | tail -n 1); allocator errors: 0; library ResourceWarnings: 0 (fixture pipe warnings: $res_all)"

# --- 4. Node with --expose-gc -----------------------------------------------------
(
  cd bindings/node
  [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
  npx napi build --platform --no-js --dts native.d.ts >/dev/null
  ROUTERKIT_MOCK="$mock_bin" node --expose-gc --test test/*.test.js >"$out/node.log" 2>&1
) || { grep -E -B2 -A20 "^not ok" "$out/node.log" | head -n 60 >&2; echo "sanitize: the Node suite failed" >&2; exit 1; }
node_pass="$(grep -oE '^# pass [0-9]+' "$out/node.log" | grep -oE '[0-9]+$')"
node_fail="$(grep -oE '^# fail [0-9]+' "$out/node.log" | grep -oE '[0-9]+$')"
gc_line="$(grep -E '^ok [0-9]+ - finished and aborted streams' "$out/node.log" || true)"
[[ -n "$gc_line" ]] || { echo "sanitize: test/gc.test.js did not pass" >&2; exit 1; }
note "Node (--expose-gc): $node_pass passed, $node_fail failed, incl. gc.test.js (5 stream/helper kinds, clients, siblings, results: all collected)"

echo
echo "sanitize: all passed; logs in $out"
printf '  %s\n' "${summary[@]}" | tee "$out/summary.txt"
