#!/usr/bin/env bash
# Drop-in check (issue 17): every program here is written for go-openai. Each
# runs twice against a fresh routerkit-mock: once built on go-openai itself
# (it must pass there), once with only its import lines changed to routerkit's
# package (github.com/sashabaranov/go-openai → github.com/routerkit/routerkit/bindings/go);
# the two outputs must be the same. bindings/go/scripts/test.sh runs it.
# A program listed in known-differences.txt (with the reason) must still
# differ: when it starts to match, the list and the README are out of date.
#   tests/dropin/go/run.sh [program...]
# DROPIN_GATEWAY=litellm: both runs go through a LiteLLM proxy (scripts/litellm.sh, installed
# from PyPI once per machine) in front of one mock, whose default session is reset before each
# run; the programs take the proxy's URL and key (GATEWAY_URL, GATEWAY_KEY). Not in make test.
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

# run SIDE PROGRAM: the program's output against a fresh mock (the programs use its default
# session), or through the gateway in front of the shared mock.
run() {
  local out="$work/$1-$2.out" url status=0
  if [[ -n "${GATEWAY_URL:-}" ]]; then
    curl -s -X DELETE "$MOCK_URL/__mock/sessions/default" >/dev/null
    timeout 120 "$work/bin/$1/$2" >"$out" 2>&1 || status=$?
    echo "exit $status" >>"$out"
    return 0
  fi
  coproc MOCK { exec "$mock" --port 0 --exit-on-stdin-close; }
  local mock_pid=$MOCK_PID
  read -r url <&"${MOCK[0]}"
  MOCK_URL="$url" timeout 60 "$work/bin/$1/$2" >"$out" 2>&1 || status=$?
  eval "exec ${MOCK[1]}>&-"
  wait "$mock_pid" 2>/dev/null || true
  echo "exit $status" >>"$out"
  return 0
}

if [[ "${DROPIN_GATEWAY:-}" == litellm ]]; then
  coproc SHARED { exec "$mock" --port 0 --exit-on-stdin-close; }
  read -r MOCK_URL <&"${SHARED[0]}"
  export MOCK_URL
  # shellcheck source=../../../scripts/litellm.sh
  source "$root/scripts/litellm.sh"
  trap 'litellm_stop; rm -rf "$work"' EXIT
  litellm_start
  export GATEWAY_URL="$LITELLM_URL" GATEWAY_KEY="$LITELLM_KEY"
  echo "through LiteLLM $LITELLM_VERSION at $GATEWAY_URL, mock at $MOCK_URL"
elif [[ -n "${DROPIN_GATEWAY:-}" ]]; then
  echo "DROPIN_GATEWAY=$DROPIN_GATEWAY: only litellm is known" >&2
  exit 2
fi

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
