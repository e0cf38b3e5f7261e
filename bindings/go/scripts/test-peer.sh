#!/usr/bin/env bash
# `make test-peer-go`: go-openai's own tests for the areas routerkit claims,
# run against this package with only their import line changed.
#
# go-openai is fetched at test time as a module through the Go module proxy
# (`go mod download`, into the module cache) and copied to a temp dir: it is
# never copied into the repository. In the copy, each selected test file's
# import of github.com/sashabaranov/go-openai (and /jsonschema) becomes
# github.com/routerkit/routerkit/bindings/go (/jsonschema), go.mod gets a
# `replace` to this checkout, and the file runs alone with go-openai's test
# helpers (openai_test.go, internal/test). Its tests use an httptest server on
# loopback. Each file is its own test binary, so one that does not compile
# (a method routerkit lacks) does not hide the others' results.
#
# Exit status 0 when every failing test is listed in scripts/peer-expected-failures.txt
# (the README's list, with reasons) and every listed one still fails.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
version="${GO_OPENAI_VERSION:-v1.43.0}"
# One test binary per group; a group's files share helpers (chat_stream_test.go
# uses chat_test.go's, stream_test.go completion_test.go's).
groups=(${PEER_GROUPS:-chat_test.go+chat_stream_test.go models_test.go embeddings_test.go error_test.go config_test.go completion_test.go+stream_test.go jsonschema})

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
(cd "$root" && cargo build -p routerkit-c)

work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
# A throw-away module to resolve go-openai through the proxy.
(cd "$work" && go mod init peerfetch >/dev/null 2>&1 && go mod download -json "github.com/sashabaranov/go-openai@$version" >fetch.json)
src="$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' "$work/fetch.json")"
[[ -d "$src" ]] || { echo "could not fetch go-openai $version" >&2; cat "$work/fetch.json" >&2; exit 1; }
echo "go-openai $version from $src"

# prepare DIR: a writable copy of go-openai without its test files, wired to this package.
prepare() {
  local dir="$1"
  cp -R "$src" "$dir"
  chmod -R u+w "$dir"
  find "$dir" -name '*_test.go' -delete
  cp "$src/openai_test.go" "$dir/"
  (cd "$dir" && go mod edit -go=1.26 \
      -require=github.com/routerkit/routerkit/bindings/go@v0.0.0 \
      -replace=github.com/routerkit/routerkit/bindings/go="$here")
  cp "$here/go.sum" "$dir/go.sum"
  (cd "$dir" && go mod edit -require=github.com/goccy/go-json@v0.10.5)
}

# retarget FILE: only the import lines change.
retarget() {
  sed -i -E \
    -e 's#^(\s*)(openai )?"github.com/sashabaranov/go-openai"$#\1\2"github.com/routerkit/routerkit/bindings/go"#' \
    -e 's#^(\s*)"github.com/sashabaranov/go-openai/jsonschema"$#\1"github.com/routerkit/routerkit/bindings/go/jsonschema"#' \
    "$1"
}

results="$work/results.txt"
: >"$results"
for f in "${groups[@]}"; do
  dir="$work/run-${f//[.+]/_}"
  prepare "$dir"
  if [[ "$f" == jsonschema ]]; then
    cp "$src"/jsonschema/*_test.go "$dir/jsonschema/"
    for t in "$dir"/jsonschema/*_test.go; do retarget "$t"; done
    pkg=./jsonschema
  else
    for one in ${f//+/ }; do
      cp "$src/$one" "$dir/"
      retarget "$dir/$one"
    done
    retarget "$dir/openai_test.go"
    pkg=.
  fi
  log="$work/$f.log"
  (cd "$dir" && go test -count=1 -v "$pkg" >"$log" 2>&1) || true
  if grep -q '\[build failed\]\|\[setup failed\]' "$log"; then
    echo "$f BUILD-FAILED" >>"$results"
    echo "== $f: does not compile:"
    grep -E '^\S+\.go:[0-9]+:[0-9]+: ' "$log" | sed -E 's/^[^:]+:[0-9]+:[0-9]+: //' | sort | uniq -c | sort -rn | head -10
    continue
  fi
  pass=$(grep -c '^--- PASS' "$log" || true)
  fail=$(grep -E '^--- FAIL' "$log" | awk '{print $3}' || true)
  echo "== $f: $pass passed, $(echo -n "$fail" | grep -c . || true) failed"
  for t in $fail; do
    echo "$f $t" >>"$results"
    echo "   FAIL $t"
    # The first lines of the failure's own output.
    awk -v t="$t" '$0 ~ "^=== RUN   "t"$" {on=1; next} on && /^(=== RUN|--- )/ {exit} on' "$log" | grep -v 'received a .* request at path' | head -4 | sed 's/^/        /'
  done
done

expected="$here/scripts/peer-expected-failures.txt"
status=0
while read -r f t; do
  if ! awk -v f="$f" -v t="$t" '$1 == f && $2 == t {found=1} END {exit !found}' "$expected"; then
    echo "unexpected failure: $f $t" >&2
    status=1
  fi
done <"$results"
while read -r f t _; do
  [[ -z "$f" || "$f" == \#* ]] && continue
  if ! grep -qxF "$f $t" "$results"; then
    echo "listed as failing but passes now (update the README and $expected): $f $t" >&2
    status=1
  fi
done <"$expected"
[[ $status == 0 ]] && echo "go-openai's tests: every failure is an expected one (scripts/peer-expected-failures.txt, README)"
exit $status
