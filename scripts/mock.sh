# Sourced: mock_start runs routerkit-mock on a free loopback port and sets MOCK_URL; mock_stop ends it.
mock_start() {
  local bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/routerkit-mock"
  [[ -x $bin ]] || cargo build -q -p routerkit-mock
  coproc MOCK_PROC { exec "$bin" --port 0 --exit-on-stdin-close; }
  MOCK_PID=$MOCK_PROC_PID
  read -r MOCK_URL <&"${MOCK_PROC[0]}"
  export MOCK_URL
}
mock_stop() {
  [[ -n ${MOCK_PID:-} ]] && kill "$MOCK_PID" 2>/dev/null || true
}
