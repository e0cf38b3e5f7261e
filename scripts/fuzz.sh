#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for FUZZ_SECONDS each (default 60) and
# prints the executions per target. A crash, a panic, an assertion, an input
# slower than 10 s or an RSS above 1 GiB (2 GiB with ASan) fails the run; the input that did it
# is left in fuzz/artifacts/<target>/ (reproduce: scripts/fuzz.sh repro FILE).
#
#   make fuzz                         # = scripts/fuzz.sh
#   FUZZ_SECONDS=600 FUZZ_TARGETS="sse_decoder" scripts/fuzz.sh
#   FUZZ_SANITIZER=address scripts/fuzz.sh     # ASan too (needs nightly; rustup installs it if it can)
#
# Stable Rust is enough: the targets are built with `-s none` (libFuzzer's
# coverage instrumentation needs no nightly flag; ASan does). The committed
# seeds in fuzz/corpus/<target>/ are read, never written: what the fuzzer
# finds goes to fuzz/target/corpus/<target>/ (kept between runs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${FUZZ_SECONDS:-60}"
targets=(${FUZZ_TARGETS:-sse_decoder chunk_accumulator error_body retry_after parse_request})
sanitizer="${FUZZ_SANITIZER:-none}"
# fuzz/ is its own workspace with its own target dir; the shared debug target is not touched.
unset CARGO_TARGET_DIR
tdir="$root/fuzz/target"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi
toolchain=()
if [[ "$sanitizer" != none ]]; then
  # -Zsanitizer needs nightly. rustup fetches it from the Rust dist server, which a machine
  # that reaches only package registries cannot: there, use the default (stable, -s none).
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal || {
    echo "fuzz: FUZZ_SANITIZER=$sanitizer needs the nightly toolchain, which rustup could not install" >&2; exit 1; }
  toolchain=(+nightly)
fi
fuzz() { cargo "${toolchain[@]}" fuzz "$@"; }

# Per-target options: input size bound and dictionary.
max_len() { case "$1" in sse_decoder|chunk_accumulator) echo 65536 ;; *) echo 16384 ;; esac; }
dict() { case "$1" in sse_decoder) echo fuzz/dicts/sse.dict ;; *) echo fuzz/dicts/json.dict ;; esac; }
# ASan's shadow memory and quarantine take ~450 MB of their own.
rss_mb=1024
[[ "$sanitizer" == none ]] || rss_mb=2048
limits=(-rss_limit_mb=$rss_mb -timeout=10)

if [[ "${1:-}" == repro ]]; then
  file="$2"
  target="$(basename "$(dirname "$file")")"
  fuzz build -s "$sanitizer" --target-dir "$tdir" "$target"
  fuzz run -s "$sanitizer" --target-dir "$tdir" "$target" "$file" -- "${limits[@]}"
  exit $?
fi

fuzz build -s "$sanitizer" --target-dir "$tdir"

summary="$tdir/fuzz-summary.txt"
: > "$summary"
failed=()
for t in "${targets[@]}"; do
  work="$tdir/corpus/$t"
  mkdir -p "$work"
  log="$tdir/fuzz-$t.log"
  echo "fuzz: $t for ${seconds}s (log: $log)"
  set +e
  fuzz run -s "$sanitizer" --target-dir "$tdir" "$t" "$work" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -max_len="$(max_len "$t")" -dict="$(dict "$t")" \
    "${limits[@]}" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)"
  rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)"
  cov="$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)"
  rss="$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)"
  seeds="$(find "fuzz/corpus/$t" -type f | wc -l)"
  found="$(find "$work" -type f | wc -l)"
  status=ok
  if [[ $rc -ne 0 ]]; then
    status="FAILED (exit $rc)"
    failed+=("$t")
    grep -E "panicked at|ERROR: libFuzzer|SUMMARY|Test unit written" "$log" | head -n 8 >&2 || true
  fi
  printf '%-18s %s  executions %s (%s/s)  %s  peak RSS %s MB  seeds %s  work corpus %s\n' \
    "$t" "$status" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${rss:-?}" "$seeds" "$found" | tee -a "$summary"
done
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, sanitizer $sanitizer; summary in $summary"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
