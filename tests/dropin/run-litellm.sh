#!/usr/bin/env bash
# The drop-in programs through a LiteLLM proxy (a real gateway, from PyPI; scripts/litellm.sh installs
# it once per machine) in front of one mock: each on the peer SDK, then on routerkit, outputs compared,
# as against the mock itself. One proxy serves every language asked for. The proxy forwards the
# programs' x-* headers, so their mock sessions and per-call faults (x-mock-step) reach the mock;
# what it still cannot serve is listed, with the reason, in tests/dropin/litellm-unserved.txt.
#   run-litellm.sh                       every program of python, node and go (`make test-dropin-litellm`)
#   run-litellm.sh LANG [PROGRAM...]     one language (python, node or go), all or some of its programs
# Each language's runner (run-python.sh, run-node.sh, go/run.sh) builds what it needs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
langs=(python node go)
programs=()
if [[ $# -gt 0 ]]; then
  langs=("$1")
  shift
  programs=("$@")
fi
for lang in "${langs[@]}"; do
  case "$lang" in python | node | go) ;; *) echo "usage: run-litellm.sh [python|node|go [PROGRAM...]]" >&2; exit 2 ;; esac
done
cd "$ROOT"
(cargo build -q -p routerkit-mock)
source scripts/mock.sh
source scripts/litellm.sh
mock_start
trap 'litellm_stop; mock_stop' EXIT
started=$SECONDS
litellm_start
echo "LiteLLM $LITELLM_VERSION at $LITELLM_URL in front of the mock at $MOCK_URL (up in $((SECONDS - started)) s)"
export DROPIN_MOCK_URL="$MOCK_URL" DROPIN_GATEWAY_URL="$LITELLM_URL" DROPIN_GATEWAY_KEY="$LITELLM_KEY"
status=0
for lang in "${langs[@]}"; do
  started=$SECONDS
  case "$lang" in
    python) bash "$HERE/run-python.sh" "${programs[@]}" || status=1 ;;
    node) bash "$HERE/run-node.sh" "${programs[@]}" || status=1 ;;
    go) bash "$HERE/go/run.sh" "${programs[@]}" || status=1 ;;
  esac
  echo "dropin $lang through LiteLLM: $((SECONDS - started)) s"
done
exit $status
