#!/usr/bin/env bash
# Instructions per sequential non-streaming chat request (or, with --mode stream, per streamed
# chat chunk), per language, counted by valgrind (callgrind): a measure that other processes on
# the machine do not distort, unlike req/s or CPU time. Each client runs bench/'s own request
# loop (`--mode seq`) twice under callgrind, with --n 0 (start-up, the warm-up request, exit)
# and with --n N; the difference over N is the cost of one request in every thread of the
# client process (user space). System calls per request
# are counted the same way by strace (the kernel's share, which callgrind does not see). The mock
# gateway runs natively. CPU time per request (the client's own getrusage figure over its loop,
# without valgrind) is printed beside them as a third, load-sensitive measure.
#
# --mode stream: the cost of one streamed chat chunk instead. Each client runs bench/'s own
# `--mode stream` (start-up, the warm-up request, one chat stream of N one-character content
# deltas from the mock's `repeat` step, exit) with --n N0 (default 200) and --n N (default
# 20000); the difference over N − N0 is one chunk's share, the stream's set-up and start-up
# having dropped out. Both runs make the same calls besides the chunks (the script request to
# the mock, the warm-up request, one stream), so only the chunk count differs.
#
#   bench/instructions.sh                       this tree (release builds, below)
#   bench/instructions.sh --tree /work/wt/old   several trees: interleaved A/B, same mock
#   bench/instructions.sh --mode stream         per streamed chunk instead (below)
#   options: --n 2000 (requests per measured run)  --reps 1 (repeats, interleaved)
#            --mode seq|stream  --n0 (the small run subtracted: 0 requests, or 200 chunks)
#            --only rust,python,python-async,node,go   --out DIR (callgrind files; default a temp dir)
#            --cpu-reps 3 (native runs for CPU time; 0 skips)
#
# Each TREE needs its release builds in TREE/target/release (or $TREE_TARGET for the first
# tree only when it is this one): from the tree's root,
#   CARGO_INCREMENTAL=0 cargo build --release -p routerkit-mock -p routerkit-bench -p routerkit-c \
#     -p routerkit-node -p routerkit-python
# (the release profile keeps debug info, so `callgrind_annotate` names functions). The Go client is
# built here from TREE/bench/go with -tags routerkit_release; Python and Node load TREE's package
# sources with the release native module beside them, in a staging dir (no venv, no npm).
# Per-function comparison of two trees: callgrind_annotate --auto=no --inclusive=yes on
# OUT/<tag>-<client>-<mode>-n<N>-r1.cg and -n<N0>-r1.cg of each, subtracted, over N − N0 (what
# the table does for the totals). Python 3 and (for the syscall column) strace are needed besides valgrind.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
n="" n0="" mode=seq reps=1 cpu_reps=3 out="" only="rust,python,python-async,node,go"
trees=()
while [ $# -gt 0 ]; do
  case "$1" in
    --n) n="$2"; shift 2 ;;
    --n0) n0="$2"; shift 2 ;;
    --mode) mode="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --cpu-reps) cpu_reps="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --tree) trees+=("$(cd "$2" && pwd)"); shift 2 ;;
    *) echo "bench/instructions.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ ${#trees[@]} -gt 0 ] || trees=("$root")
# What one unit is, and the JSON key in which the client's report counts them.
case "$mode" in
  seq) unit=request key=requests n="${n:-2000}" n0="${n0:-0}" ;;
  stream) unit=chunk key=chunks n="${n:-20000}" n0="${n0:-200}" ;;
  *) echo "bench/instructions.sh: --mode seq or stream, not $mode" >&2; exit 2 ;;
esac
[ "$n" -gt "$n0" ] || { echo "bench/instructions.sh: --n must exceed --n0" >&2; exit 2; }
out="${out:-$(mktemp -d /tmp/rk-instructions.XXXXXX)}"
mkdir -p "$out"
PYTHON="${PYTHON:-python3}"
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }

target_of() { # the release target dir of a tree
  if [ "$1" = "$root" ] && [ -n "${TREE_TARGET:-}" ]; then echo "$TREE_TARGET"; else echo "$1/target"; fi
}
tag_of() { # a tree's label: its commit, `-dirty` when tracked files differ from it
  echo "$(git -C "$1" rev-parse --short HEAD)$(git -C "$1" diff --quiet HEAD -- 2>/dev/null || echo -dirty)"
}

# Stage each tree's clients: $out/stage/<tag>/{py,node,go-client}.
for t in "${trees[@]}"; do
  tag="$(tag_of "$t")" rel="$(target_of "$t")/release" st="$out/stage/$(tag_of "$t")"
  for f in routerkit-bench routerkit-mock lib_routerkit.so librouterkit_node.so librouterkit.a; do
    [ -e "$rel/$f" ] || { echo "missing $rel/$f: build the tree in release first (see the header)" >&2; exit 1; }
  done
  rm -rf "$st" && mkdir -p "$st/py" "$st/node"
  cp -r "$t/bindings/python/python/routerkit" "$st/py/"
  cp "$rel/lib_routerkit.so" "$st/py/routerkit/_routerkit.abi3.so"
  cp "$t/bindings/node/package.json" "$t/bindings/node/index.js" "$t/bindings/node/index.mjs" "$st/node/"
  cp -r "$t/bindings/node/lib" "$st/node/"
  cp "$rel/librouterkit_node.so" "$st/node/routerkit.linux-x64-gnu.node"
  if [[ ",$only," == *,go,* ]]; then
    (cd "$t/bench/go" && GOFLAGS="-modcacherw -buildvcs=false" go build -tags routerkit_release,bench_one,bench_routerkit -o "$st/go-client" ./client)
  fi
done

# One mock (the first tree's) serves every run, so the server side is the same for all.
mock_bin="$(target_of "${trees[0]}")/release/routerkit-mock"
coproc MOCK { exec "$mock_bin" --port 0 --exit-on-stdin-close; }
# Kept now: bash unsets MOCK_PID once the coprocess has exited, which it may do before the wait below.
mock_pid=$MOCK_PID
read -r url <&"${MOCK[0]}"
case "$url" in http://*) ;; *) echo "the mock did not start: $url" >&2; exit 1 ;; esac
pyc="$root/bench/python/client.py" nodec="$root/bench/node/client.js"

# The real interpreter, not a launcher script (pyenv's shim): valgrind follows no exec.
PYTHON_BIN="$("$PYTHON" -c 'import sys; print(sys.executable)')"

env_of() { # tree client → the client's environment (set outside valgrind, which then runs the program itself)
  local st="$out/stage/$(tag_of "$1")"
  case "$2" in
    python | python-async) echo "PYTHONPATH=$st/py" ;;
    # Go's asynchronous preemption signals (SIGURG) trip callgrind's signal bookkeeping (an
    # assertion in threads.c); without them the goroutines still yield at every call.
    go) echo "GODEBUG=asyncpreemptoff=1" ;;
    *) ;;
  esac
}
cmd_of() { # tree client → the client's command line (without mode and counts)
  local st="$out/stage/$(tag_of "$1")" rel
  rel="$(target_of "$1")/release"
  case "$2" in
    rust) echo "$rel/routerkit-bench --client routerkit" ;;
    python) echo "$PYTHON_BIN $pyc --client routerkit" ;;
    python-async) echo "$PYTHON_BIN $pyc --client routerkit --async" ;;
    node) echo "node $nodec --client routerkit --module $st/node" ;;
    go) echo "$st/go-client --client routerkit" ;;
  esac
}

# Total instructions (every thread) of one run under callgrind.
count() { # tree client n rep
  local f="$out/$(tag_of "$1")-$2-$mode-n$3-r$4.cg"
  # shellcheck disable=SC2046
  # --fair-sched: valgrind runs one thread at a time, and by default may keep running one that
  # waits for another (Go's background sweeper yields in a loop while another thread sweeps,
  # issue golang/go#73499), which counts that loop's instructions as the client's.
  env $(env_of "$1" "$2") valgrind --tool=callgrind --fair-sched=yes --callgrind-out-file="$f" --log-file="$f.log" \
    $(cmd_of "$1" "$2") --mode "$mode" --n "$3" --url "$url" >"$f.stdout" ||
    { echo "$2 ($1) failed under valgrind: see $f.log" >&2; return 1; }
  # The client's own report says it made the requests or read the chunks (a launcher that
  # valgrind stops at would not).
  grep -Eq "\"$key\": ?$3[,}]" "$f.stdout" || { echo "$2 ($1): no report of $3 $key in $f.stdout" >&2; return 1; }
  awk '/^(summary|totals):/ { print $2; exit }' "$f"
}

# System calls of one run (every thread), counted by strace: the kernel's share of a request,
# which callgrind (user space only) does not see.
syscalls() { # tree client n
  local f="$out/$(tag_of "$1")-$2-$mode-n$3.strace"
  # shellcheck disable=SC2046
  env $(env_of "$1" "$2") strace -f -c -o "$f" $(cmd_of "$1" "$2") --mode "$mode" --n "$3" --url "$url" >/dev/null ||
    { echo "$2 ($1) failed under strace" >&2; return 1; }
  awk '$NF == "total" { print $4 }' "$f" # % time, seconds, usecs/call, calls, [errors,] total
}

IFS=, read -r -a langs <<<"$only"
results="$out/results.tsv"
: >"$results"
for rep in $(seq 1 "$reps"); do
  for c in "${langs[@]}"; do
    for t in "${trees[@]}"; do
      i0="$(count "$t" "$c" "$n0" "$rep")" || exit 1
      i1="$(count "$t" "$c" "$n" "$rep")" || exit 1
      printf '%s\t%s\tinstr\t%s\n' "$(tag_of "$t")" "$c" "$(((i1 - i0) / (n - n0)))" | tee -a "$results"
      if [ "$rep" = 1 ] && command -v strace >/dev/null; then
        s0="$(syscalls "$t" "$c" "$n0")" || exit 1
        s1="$(syscalls "$t" "$c" "$n")" || exit 1
        # Two decimals: a streamed chunk costs a fraction of a system call (reads carry many).
        printf '%s\t%s\tsyscalls\t%s\n' "$(tag_of "$t")" "$c" "$(awk -v a="$s0" -v b="$s1" -v n="$((n - n0))" 'BEGIN { printf "%.2f", (b - a) / n }')" | tee -a "$results"
      fi
    done
  done
done
for rep in $(seq 1 "$cpu_reps"); do
  for c in "${langs[@]}"; do
    for t in "${trees[@]}"; do
      # shellcheck disable=SC2046
      # The client's own CPU over its loop (the stream: from the request to the last chunk).
      us="$(env $(env_of "$t" "$c") $(cmd_of "$t" "$c") --mode "$mode" --n "$n" --url "$url" |
        "$PYTHON" -c 'import json,sys; r=json.loads(sys.stdin.read().splitlines()[-1]); k=sys.argv[1]; print(round(r["cpu_s"]/r[k]*1e6, 3))' "$key")"
      printf '%s\t%s\tcpu_us\t%s\n' "$(tag_of "$t")" "$c" "$us" | tee -a "$results"
    done
  done
done
exec {MOCK[1]}>&-
wait "$mock_pid" 2>/dev/null || true

echo
echo "per $unit, --mode $mode, --n $n minus --n $n0 (instructions: median of $reps; syscalls: one run; CPU µs: median of $cpu_reps, load-sensitive) — files in $out"
"$PYTHON" - "$results" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
trees = list(dict.fromkeys(r[0] for r in rows))
langs = list(dict.fromkeys(r[1] for r in rows))
def med(t, c, k):
    xs = [float(r[3]) for r in rows if r[0] == t and r[1] == c and r[2] == k]
    return statistics.median(xs) if xs else None
def cells(c, k, fmt):
    xs = [med(t, c, k) for t in trees]
    out = [fmt.format(x) if x is not None else "–" for x in xs]
    # Every later tree against the first, as a change.
    for i, x in enumerate(xs[1:], 1):
        if x is not None and xs[0]:
            out[i] += f" ({(x / xs[0] - 1) * 100:+.1f}%)"
    return out
kinds = [("instr", "instructions", "{:,.0f}"), ("syscalls", "syscalls", "{:.2f}"), ("cpu_us", "CPU µs", "{:.2f}")]
print("| client | " + " | ".join(f"{t} {name}" for _, name, _ in kinds for t in trees) + " |")
print("|" + "---|" * (1 + len(kinds) * len(trees)))
for c in langs:
    print(f"| routerkit-{c} | " + " | ".join(x for k, _, f in kinds for x in cells(c, k, f)) + " |")
EOF
