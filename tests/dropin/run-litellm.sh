#!/usr/bin/env bash
# The drop-in programs through a LiteLLM proxy (a real gateway, from PyPI; scripts/litellm.sh installs
# it once per machine) in front of the mock: each on the peer SDK, then on routerkit, outputs compared.
# Only the programs that need nothing of the mock's own (fault headers, sessions, its request log) run.
# Usage: run-litellm.sh python|node [PROGRAM...]   (the binding's test.sh must have built routerkit)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
lang="$1"
shift
cd "$ROOT"
source scripts/mock.sh
source scripts/litellm.sh
mock_start
trap 'litellm_stop; mock_stop' EXIT
litellm_start
export DROPIN_MOCK_URL="$MOCK_URL" DROPIN_GATEWAY_URL="$LITELLM_URL" DROPIN_GATEWAY_KEY="$LITELLM_KEY"
case "$lang" in
  python) set -- "${@:-${LITELLM_PROGRAMS_PY:-stream_loop.py types_imports.py models.py async_client.py}}"
          # shellcheck disable=SC2068
          "$HERE/python/.venv/bin/python" "$HERE/compare.py" python "$HERE/python/.venv/bin/python" "$ROOT/bindings/python/.venv/bin/python" $@ ;;
  node)   set -- "${@:-${LITELLM_PROGRAMS_NODE:-stream-loop.mjs require.cjs models.mjs}}"
          # shellcheck disable=SC2068
          python3 "$HERE/compare.py" node "$(command -v node)" "$(command -v node)" $@ ;;
  *) echo "usage: run-litellm.sh python|node [PROGRAM...]" >&2; exit 2 ;;
esac
