#!/usr/bin/env bash
# Drop-in check (issue 17): every program here is written for go-openai. Each
# runs twice against a fresh routerkit-mock: once built on go-openai itself
# (it must pass there), once with only its import lines changed to routerkit's
# package (github.com/sashabaranov/go-openai → github.com/routerkit/routerkit/bindings/go);
# the two outputs must be the same. bindings/go/scripts/test.sh runs it.
# A program listed in known-differences.txt (with the reason) must still
# differ: when it starts to match, the list and the README are out of date.
#   tests/dropin/go/run.sh [program...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
mock="${ROUTERKIT_MOCK:-$root/target/debug/routerkit-mock}"
[[ -x "$mock" ]] || { echo "no mock at $mock (cargo build -p routerkit-mock)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

programs=("$@")
if [[ ${#programs[@]} == 0 ]]; then
  for d in "$here"/*/main.go; do programs+=("$(basename "$(dirname "$d")")"); done
fi

# The go-openai build: this module as committed. The routerkit build: a copy
# whose import lines, and go.mod, point at bindings/go.
cp -R "$here" "$work/peer"
cp -R "$here" "$work/rk"
find "$work/rk" -name '*.go' -exec sed -i -E \
  -e 's#^(\s*)(openai )?"github.com/sashabaranov/go-openai"$#\1\2"github.com/routerkit/routerkit/bindings/go"#' \
  -e 's#^(\s*)"github.com/sashabaranov/go-openai/jsonschema"$#\1"github.com/routerkit/routerkit/bindings/go/jsonschema"#' {} +
cat >"$work/rk/go.mod" <<MOD
module github.com/routerkit/routerkit/tests/dropin/go

go 1.26

require (
	github.com/goccy/go-json v0.10.5 // indirect
	github.com/routerkit/routerkit/bindings/go v0.0.0
)

replace github.com/routerkit/routerkit/bindings/go => $root/bindings/go
MOD
cp "$root/bindings/go/go.sum" "$work/rk/go.sum"
for side in peer rk; do
  mkdir -p "$work/bin/$side"
  (cd "$work/$side" && go build -o "$work/bin/$side/" ./...)
done

# run SIDE PROGRAM: the program's output against a fresh mock (the programs use its default session).
run() {
  local out="$work/$1-$2.out" url status=0
  coproc MOCK { exec "$mock" --port 0 --exit-on-stdin-close; }
  local mock_pid=$MOCK_PID
  read -r url <&"${MOCK[0]}"
  MOCK_URL="$url" timeout 60 "$work/bin/$1/$2" >"$out" 2>&1 || status=$?
  eval "exec ${MOCK[1]}>&-"
  wait "$mock_pid" 2>/dev/null || true
  echo "exit $status" >>"$out"
  return 0
}

known() { awk -v p="$1" '$1 == p {found=1} END {exit !found}' "$here/known-differences.txt"; }
failed=0
for p in "${programs[@]}"; do
  run peer "$p"
  run rk "$p"
  if ! tail -1 "$work/peer-$p.out" | grep -qx 'exit 0'; then
    echo "FAIL $p: does not pass on go-openai itself:"; sed 's/^/    /' "$work/peer-$p.out"
    failed=1
  elif ! diff -u --label "go-openai $p" --label "routerkit $p" "$work/peer-$p.out" "$work/rk-$p.out" >"$work/$p.diff"; then
    if known "$p"; then
      echo "known $p: differs, as known-differences.txt says:"; sed 's/^/    /' "$work/$p.diff" | head -12
    else
      echo "FAIL $p: routerkit's output differs from go-openai's:"; sed 's/^/    /' "$work/$p.diff"
      failed=1
    fi
  elif known "$p"; then
    echo "FAIL $p: the same now, but listed in known-differences.txt: update it and the README"
    failed=1
  else
    echo "ok   $p ($(($(wc -l <"$work/rk-$p.out") - 1)) lines the same)"
  fi
done
exit $failed
