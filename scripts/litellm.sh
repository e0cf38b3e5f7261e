# Sourced: litellm_start runs a LiteLLM proxy (a real third-party gateway, installed from PyPI) on a
# free loopback port in front of the mock gateway at $MOCK_URL, and sets LITELLM_URL (…/v1) and
# LITELLM_KEY; litellm_stop ends it. Programs written for the peers run through it as they would
# through a deployed gateway: every model id `brand/name` is routed to the mock as an OpenAI backend.
#
# The proxy is installed once per machine into a cache outside the clone (about 750 MB, minutes to
# install), pinned: LITELLM_VERSION. It never reaches the internet: the model cost map is the one it
# ships (LITELLM_LOCAL_MODEL_COST_MAP), and its only backend is the mock on 127.0.0.1.
LITELLM_VERSION="${LITELLM_VERSION:-1.108.7}"

litellm_install() {
  local cache="${ROUTERKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/routerkit}"
  LITELLM_VENV="$cache/litellm-$LITELLM_VERSION"
  if [[ ! -f $LITELLM_VENV/.installed ]]; then
    echo "installing litellm[proxy]==$LITELLM_VERSION into $LITELLM_VENV (once per machine)" >&2
    rm -rf "$LITELLM_VENV"
    python3 -m venv "$LITELLM_VENV"
    "$LITELLM_VENV/bin/python" -m pip install -q --disable-pip-version-check "litellm[proxy]==$LITELLM_VERSION" >&2
    touch "$LITELLM_VENV/.installed"
  fi
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
