#!/usr/bin/env bash
# Sourced: litellm_start runs a LiteLLM proxy (a real third-party gateway, installed from PyPI) on a
# free loopback port in front of the mock gateway at $MOCK_URL, and sets LITELLM_URL (…/v1) and
# LITELLM_KEY; litellm_stop ends it. Programs written for the peers run through it as they would
# through a deployed gateway: every model id `brand/name` is routed to the mock as an OpenAI backend.
#
# The proxy is installed once per machine into a cache outside the clone (about 750 MB, minutes to
# install; ROUTERKIT_CACHE, default ~/.cache/routerkit), pinned: LITELLM_VERSION. It never reaches the internet: the model cost map is the one it
# ships (LITELLM_LOCAL_MODEL_COST_MAP), and its only backend is the mock on 127.0.0.1.
LITELLM_VERSION="${LITELLM_VERSION:-1.108.7}"

litellm_cache() { echo "${ROUTERKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/routerkit}"; }

# Installs the pinned proxy into the cache unless it is there. One install at a time (a lock
# beside the venv): `make test` starts one in the background (scripts/litellm.sh prefetch) and the
# drop-in run that needs it waits here for it to finish, or installs itself if that one failed.
litellm_install() {
  local cache lock status=0
  cache="$(litellm_cache)"
  LITELLM_VENV="$cache/litellm-$LITELLM_VERSION"
  mkdir -p "$cache"
  exec {lock}>"$LITELLM_VENV.lock"
  flock "$lock"
  if [[ ! -f $LITELLM_VENV/.installed ]]; then
    echo "installing litellm[proxy]==$LITELLM_VERSION into $LITELLM_VENV (once per machine)" >&2
    rm -rf "$LITELLM_VENV"
    # .installed only after a complete install, whether or not the caller runs under set -e.
    python3 -m venv "$LITELLM_VENV" &&
      "$LITELLM_VENV/bin/python" -m pip install -q --disable-pip-version-check "litellm[proxy]==$LITELLM_VERSION" >&2 &&
      touch "$LITELLM_VENV/.installed" || status=$?
  fi
  exec {lock}>&-
  return $status
}

litellm_start() {
  : "${MOCK_URL:?start the mock first (scripts/mock.sh: mock_start)}"
  litellm_install
  LITELLM_DIR="$(mktemp -d)"
  cat >"$LITELLM_DIR/config.yaml" <<YAML
model_list:
  - model_name: "*"
    litellm_params:
      model: "openai/*"
      api_base: "$MOCK_URL/v1"
      api_key: "sk-mock-backend-key"
router_settings:
  # The client's retries are what the programs show: the proxy answers each failure once (its
  # default, 2 retries with backoff, tripled errors.py's time), and never parks the one
  # deployment after a run of scripted errors (a cooldown would fail the next program).
  num_retries: 0
  disable_cooldowns: true
general_settings:
  # The client's x-* headers reach the backend (LiteLLM's documented switch), so the programs'
  # x-mock-session and x-mock-step (the mock's per-call faults) work through the proxy as well.
  forward_client_headers_to_llm_api: true
YAML
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  LITELLM_KEY="sk-litellm-local-master-key-0000"
  (cd "$LITELLM_DIR" && LITELLM_MASTER_KEY="$LITELLM_KEY" LITELLM_LOCAL_MODEL_COST_MAP=True \
    exec "$LITELLM_VENV/bin/python" -m litellm.proxy.proxy_cli --config "$LITELLM_DIR/config.yaml" --host 127.0.0.1 --port "$port" \
    >"$LITELLM_DIR/log" 2>&1) &
  LITELLM_PID=$!
  local i
  for i in $(seq 1 120); do
    if curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/health/liveliness"; then
      export LITELLM_URL="http://127.0.0.1:$port/v1" LITELLM_KEY LITELLM_PID
      return 0
    fi
    kill -0 "$LITELLM_PID" 2>/dev/null || break
    sleep 1
  done
  echo "litellm did not start; its log:" >&2
  cat "$LITELLM_DIR/log" >&2
  return 1
}

litellm_stop() {
  [[ -n ${LITELLM_PID:-} ]] && kill "$LITELLM_PID" 2>/dev/null || true
  [[ -n ${LITELLM_DIR:-} ]] && rm -rf "$LITELLM_DIR" || true
}

# Run, not sourced: `scripts/litellm.sh install` installs (waiting for an install under way);
# `scripts/litellm.sh prefetch` starts that in the background and returns at once (`make test`
# runs it first, so that the download overlaps the builds; its log: <cache>/litellm-install.log).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  case "${1:-}" in
    install) litellm_install ;;
    prefetch)
      mkdir -p "$(litellm_cache)"
      if [[ ! -f "$(litellm_cache)/litellm-$LITELLM_VERSION/.installed" ]]; then
        nohup bash "$0" install >"$(litellm_cache)/litellm-install.log" 2>&1 </dev/null &
        echo "installing litellm[proxy]==$LITELLM_VERSION in the background (log: $(litellm_cache)/litellm-install.log)"
      fi
      ;;
    *) echo "usage: scripts/litellm.sh install|prefetch (or source it: litellm_start, litellm_stop)" >&2; exit 2 ;;
  esac
fi
