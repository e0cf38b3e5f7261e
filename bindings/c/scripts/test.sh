#!/usr/bin/env bash
# Builds the C ABI (debug) and the mock gateway, checks the committed header,
# then runs tests/abi_test.c against the mock under valgrind (ASan when
# valgrind is missing): no leak, no invalid access.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cd "$root"
cargo build -p routerkit-c -p routerkit-mock
"$here/scripts/check-header.sh"

out="$CARGO_TARGET_DIR/abi-test"
mkdir -p "$out"
# The mock, stopped when this script exits (its stdin closes).
coproc MOCK { exec "$CARGO_TARGET_DIR/debug/routerkit-mock" --port 0 --exit-on-stdin-close; }
trap 'exec {MOCK[1]}>&-; wait "$MOCK_PID" 2>/dev/null || true' EXIT
read -r url <&"${MOCK[0]}"
echo "mock gateway at $url"

if command -v valgrind >/dev/null; then
  gcc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g -O0 -I "$here/include" \
    "$here/tests/abi_test.c" "$CARGO_TARGET_DIR/debug/librouterkit.a" -lm -ldl -lpthread -o "$out/abi_test"
  valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 \
    --suppressions="$here/tests/valgrind.supp" "$out/abi_test" "$url/v1"
else
  gcc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g -O1 -fsanitize=address -fno-omit-frame-pointer \
    -I "$here/include" "$here/tests/abi_test.c" "$CARGO_TARGET_DIR/debug/librouterkit.a" -lm -ldl -lpthread \
    -o "$out/abi_test_asan"
  "$out/abi_test_asan" "$url/v1"
fi
