#!/usr/bin/env bash
# Drop-in check (issue 17): every program here is written for go-openai. Each
# runs twice against a fresh routerkit-mock: once built on go-openai itself
# (it must pass there), once with only its import lines changed to routerkit's
# package (github.com/sashabaranov/go-openai → github.com/routerkit/routerkit/bindings/go);
# the two outputs must be the same. bindings/go/scripts/test.sh runs it.
# A program listed in known-differences.txt (with the reason) must still
# differ: when it starts to match, the list and the README are out of date.
#   tests/dropin/go/run.sh [program...]
# Behind a gateway (DROPIN_GATEWAY_URL, DROPIN_GATEWAY_KEY, DROPIN_MOCK_URL: ../run-litellm.sh
# starts a LiteLLM proxy in front of one mock and sets them; DROPIN_GATEWAY=litellm here calls it):
# both runs go through it, the mock's default session reset before each run; the programs take
# the proxy's URL and key (GATEWAY_URL, GATEWAY_KEY). A program ../litellm-unserved.txt lists
# (go/<program> <why>) must still fail or differ there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
if [[ -n "${DROPIN_GATEWAY:-}" && -z "${DROPIN_GATEWAY_URL:-}" ]]; then
  [[ "$DROPIN_GATEWAY" == litellm ]] || { echo "DROPIN_GATEWAY=$DROPIN_GATEWAY: only litellm is known" >&2; exit 2; }
  exec "$here/../run-litellm.sh" go "$@"
fi
mock="${ROUTERKIT_MOCK:-$root/target/debug/routerkit-mock}"
[[ -x "$mock" ]] || { echo "no mock at $mock (cargo build -p routerkit-mock)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

programs=("$@")
if [[ ${#programs[@]} == 0 ]]; then
  for d in "$here"/*/main.go; do programs+=("$(basename "$(dirname "$d")")"); done
fi

# The go-openai build: this module as committed. The routerkit build: a copy
# whose import lines, and go.mod, point at bindings/go. Both are built in target/dropin-go,
# kept between runs: at the same paths, with the same sources, go build finds the binaries up
# to date and does not link them again (the run through LiteLLM after the one against the mock,
# in `make test`). go does not track librouterkit.a, which the routerkit side links: its binaries
# are dropped whenever that archive changed. One run at a time uses the folder (a lock).
build="$root/target/dropin-go"
mkdir -p "$build"
exec {build_lock}>"$build.lock"
flock "$build_lock"
rm -rf "$build/peer" "$build/rk"
cp -R "$here" "$build/peer"
cp -R "$here" "$build/rk"
lib="$root/target/debug/librouterkit.a"
stamp="$(stat -c '%s %Y' "$lib" 2>/dev/null || echo none)"
if [[ "$(cat "$build/bin/rk.stamp" 2>/dev/null)" != "$stamp" ]]; then rm -rf "$build/bin/rk"; fi
find "$build/rk" -name '*.go' -exec sed -i -E \
  -e 's#^(\s*)(openai )?"github.com/sashabaranov/go-openai"$#\1\2"github.com/routerkit/routerkit/bindings/go"#' \
  -e 's#^(\s*)"github.com/sashabaranov/go-openai/jsonschema"$#\1"github.com/routerkit/routerkit/bindings/go/jsonschema"#' {} +
cat >"$build/rk/go.mod" <<MOD
module github.com/routerkit/routerkit/tests/dropin/go

go 1.26

require (
	github.com/goccy/go-json v0.10.5 // indirect
	github.com/routerkit/routerkit/bindings/go v0.0.0
)

replace github.com/routerkit/routerkit/bindings/go => $root/bindings/go
MOD
cp "$root/bindings/go/go.sum" "$build/rk/go.sum"
for side in peer rk; do
  mkdir -p "$build/bin/$side"
  (cd "$build/$side" && go build -o "$build/bin/$side/" ./...)
done
echo "$stamp" >"$build/bin/rk.stamp"

# run SIDE PROGRAM: the program's output against a fresh mock (the programs use its default
# session), or through the gateway in front of the shared mock.
run() {
  local out="$work/$1-$2.out" url status=0
  if [[ -n "${GATEWAY_URL:-}" ]]; then
    curl -s -X DELETE "$MOCK_URL/__mock/sessions/default" >/dev/null
    timeout 120 "$build/bin/$1/$2" >"$out" 2>&1 || status=$?
    echo "exit $status" >>"$out"
    return 0
  fi
  coproc MOCK { exec "$mock" --port 0 --exit-on-stdin-close; }
  local mock_pid=$MOCK_PID
  read -r url <&"${MOCK[0]}"
  MOCK_URL="$url" timeout 60 "$build/bin/$1/$2" >"$out" 2>&1 || status=$?
  eval "exec ${MOCK[1]}>&-"
  wait "$mock_pid" 2>/dev/null || true
  echo "exit $status" >>"$out"
  return 0
}

unserved=/dev/null
if [[ -n "${DROPIN_GATEWAY_URL:-}" ]]; then
  export MOCK_URL="$DROPIN_MOCK_URL" GATEWAY_URL="$DROPIN_GATEWAY_URL" GATEWAY_KEY="$DROPIN_GATEWAY_KEY"
  unserved="$here/../litellm-unserved.txt"
  echo "through the gateway at $GATEWAY_URL, mock at $MOCK_URL"
fi

known() { awk -v p="$1" '$1 == p {found=1} END {exit !found}' "$here/known-differences.txt"; }
# why_unserved PROGRAM: its reason in litellm-unserved.txt (behind the gateway only), or nothing.
why_unserved() { awk -v p="go/$1" '$1 == p {$1 = ""; print substr($0, 2)}' "$unserved"; }
failed=0
for p in "${programs[@]}"; do
  started=$SECONDS
  run peer "$p"
  run rk "$p"
  why="$(why_unserved "$p")"
  if [[ -n "$why" ]]; then
    if tail -1 "$work/peer-$p.out" | grep -qx 'exit 0' && cmp -s "$work/peer-$p.out" "$work/rk-$p.out"; then
      echo "FAIL $p: passes through the gateway now: take it off litellm-unserved.txt"
      failed=1
    else
      echo "unserved $p (as litellm-unserved.txt says): $why"
    fi
  elif ! tail -1 "$work/peer-$p.out" | grep -qx 'exit 0'; then
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
    echo "ok   $p ($(($(wc -l <"$work/rk-$p.out") - 1)) lines the same, $((SECONDS - started)) s)"
  fi
done
exit $failed
