#!/usr/bin/env bash
# make dist-check: installs what `make dist` put in dist/ the way each ecosystem installs, then runs
# the examples against the mock gateway:
#   Rust    a new Cargo project depending on the packaged crate (unpacked .crate, offline), its
#           test against routerkit-mock installed from its own packaged crate;
#   then, with cargo and rustc gone from PATH and every folder outside the repository:
#   Python  a fresh venv, `pip install routerkit` from pypiserver on 127.0.0.1 serving dist/python;
#   Node    an empty folder, `npm install routerkit` from verdaccio on 127.0.0.1, to which
#           dist/npm/'s tarballs were published;
#   Go      a new module, `go get <module>@v<version>` through GOPROXY=file://…/dist/goproxy,
#           no replace directive.
# Each prints what it installed and its size.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
VERSION="$(dist_version)"
[[ -f $DIST/SIZES.txt ]] || die "dist/ is not built: run make dist"
dist_tools

WORK="$(mktemp -d /tmp/routerkit-dist-check.XXXXXX)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  chmod -R u+w "$WORK" 2>/dev/null || true # the Go module cache is read-only
  rm -rf "$WORK"
}
trap cleanup EXIT
SUMMARY="$WORK/summary.txt"
: >"$SUMMARY"
installed() { printf '%-8s %s\n' "$1" "$2" | tee -a "$SUMMARY"; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { # URL: up to 60 s for a server to answer
  local i
  for i in $(seq 600); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  die "nothing answers at $1"
}

# --- Rust: the packaged crates (cargo is still on PATH here) ---------------------------------
say "rust: a new Cargo project on dist/crates/routerkit-$VERSION.crate"
mkdir -p "$WORK/crates"
for crate in routerkit routerkit-mock; do
  tar -xzf "$DIST/crates/$crate-$VERSION.crate" -C "$WORK/crates"
done
# Offline: the crates' dependencies come from the local registry cache the workspace build
# filled. The workspace's target dir only saves compiling them again (make dist's
# `cargo publish --dry-run` built them for these very packages).
RUST_TARGET_DIR="$CARGO_TARGET_DIR"
cargo install --quiet --offline --debug --locked --path "$WORK/crates/routerkit-mock-$VERSION" \
  --root "$WORK/mock" --target-dir "$RUST_TARGET_DIR"
MOCK_BIN="$WORK/mock/bin/routerkit-mock"
# The mock, from its package, for every check below.
coproc MOCK { exec "$MOCK_BIN" --port 0 --exit-on-stdin-close; }
PIDS+=("$MOCK_PID")
read -r MOCK_URL <&"${MOCK[0]}"
export THEROUTER_BASE_URL="$MOCK_URL/v1" THEROUTER_API_KEY="sk-dist-check-not-a-real-key"
echo "mock gateway (routerkit-mock installed from dist/crates/): $MOCK_URL"
user="$WORK/rust/routerkit-user"
mkdir -p "$user/src/bin" "$user/tests"
sed "s|@CRATE@|$WORK/crates/routerkit-$VERSION|" scripts/dist/user-crate/Cargo.toml.in >"$user/Cargo.toml"
cp scripts/dist/user-crate/tests/*.rs "$user/tests/"
cp examples/rust/src/bin/*.rs "$user/src/bin/"
# The workspace's lock file pins the same versions the package was verified with; cargo drops
# what this project does not use.
cp Cargo.lock "$user/"
(cd "$user" && ROUTERKIT_MOCK="$MOCK_BIN" CARGO_TARGET_DIR="$RUST_TARGET_DIR" cargo test --offline --test against_mock)
for ex in basic stream retry; do
  echo "== examples/rust/src/bin/$ex.rs"
  (cd "$user" && CARGO_TARGET_DIR="$RUST_TARGET_DIR" cargo run --offline --quiet --bin "$ex")
done
installed rust "routerkit $VERSION from $(basename "$DIST/crates/routerkit-$VERSION.crate") ($(human "$(bytes "$DIST/crates/routerkit-$VERSION.crate")")), routerkit-mock $VERSION by cargo install --debug ($(human "$(bytes "$MOCK_BIN")"))"

# --- From here on: no Rust toolchain --------------------------------------------------------
path=()
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [[ -x $d/cargo || -x $d/rustc || -x $d/rustup ]] || path+=("$d")
done
PATH="$(IFS=:; echo "${path[*]}")"
export PATH
unset CARGO_TARGET_DIR RUSTUP_HOME RUSTUP_TOOLCHAIN CARGO_HOME PYTHONPATH NODE_PATH
if command -v cargo >/dev/null || command -v rustc >/dev/null; then
  die "cargo or rustc is still on PATH"
fi
echo "cargo and rustc are off PATH: $(command -v cargo || echo 'no cargo'), $(command -v rustc || echo 'no rustc')"

# --- Python ---------------------------------------------------------------------------------
say "python: pip install routerkit from pypiserver on 127.0.0.1 serving dist/python/"
port="$(free_port)"
pypi-server run --host 127.0.0.1 --port "$port" --disable-fallback --authenticate . --passwords . \
  "$DIST/python" >"$WORK/pypiserver.log" 2>&1 &
PIDS+=("$!")
wait_http "http://127.0.0.1:$port/simple/"
py="$WORK/python"
mkdir -p "$py"
python3 -m venv "$py/venv"
# Only the local index: no pip configuration, no find-links, no cache.
(cd "$py" && PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= PIP_NO_CACHE_DIR=1 \
  venv/bin/pip install --disable-pip-version-check --index-url "http://127.0.0.1:$port/simple/" routerkit)
cp examples/python/*.py "$py/"
SIZE_OUT="$WORK/py.size" "$py/venv/bin/python" -I -c '
import importlib.metadata as md, os, routerkit
d = md.distribution("routerkit")
files = [d.locate_file(f) for f in d.files]
size = sum(os.path.getsize(f) for f in files if os.path.isfile(f))
tag = next(l.split(": ", 1)[1] for l in d.read_text("WHEEL").splitlines() if l.startswith("Tag:"))
print(f"routerkit {d.version} (wheel tag {tag}) imported from {os.path.dirname(routerkit.__file__)}")
print(size, file=open(os.environ["SIZE_OUT"], "w"))
' | tee "$WORK/py.txt"
case "$(cat "$WORK/py.txt")" in *"$py/venv/"*) ;; *) die "routerkit was not imported from the fresh venv" ;; esac
for ex in basic stream retry; do
  echo "== examples/python/$ex.py"
  (cd "$py" && venv/bin/python -I "$ex.py")
done
# Start-up of the installed package (the benchmark's import figure, median of 5 fresh processes).
ms="$(for i in 1 2 3 4 5; do (cd "$py" && venv/bin/python -I -c 'import time; t = time.perf_counter(); import routerkit; print(f"{(time.perf_counter() - t) * 1000:.1f}")'); done | sort -n | sed -n 3p)"
installed python "$(cat "$WORK/py.txt"), $(human "$(cat "$WORK/py.size")") installed; import routerkit: $ms ms"

# --- Node -----------------------------------------------------------------------------------
say "node: npm install routerkit from verdaccio on 127.0.0.1"
reg_tools="$TOOLS/verdaccio"
if ! cmp -s scripts/dist/verdaccio/package-lock.json "$reg_tools/package-lock.json" || [[ ! -x $reg_tools/node_modules/.bin/verdaccio ]]; then
  mkdir -p "$reg_tools"
  cp scripts/dist/verdaccio/package.json scripts/dist/verdaccio/package-lock.json "$reg_tools/"
  (cd "$reg_tools" && npm ci --no-audit --no-fund --loglevel=error)
fi
reg="$WORK/registry"
mkdir -p "$reg"
cp scripts/dist/verdaccio/config.yaml "$reg/"
port="$(free_port)"
REGISTRY="http://127.0.0.1:$port/"
"$reg_tools/node_modules/.bin/verdaccio" --config "$reg/config.yaml" --listen "127.0.0.1:$port" >"$WORK/verdaccio.log" 2>&1 &
PIDS+=("$!")
wait_http "${REGISTRY}-/ping"
token="$(curl -fsS -X PUT -H 'content-type: application/json' -d '{"name":"dist-check","password":"dist-check-password"}' \
  "${REGISTRY}-/user/org.couchdb.user:dist-check" | node -e 'let s = ""; process.stdin.on("data", d => (s += d)).on("end", () => console.log(JSON.parse(s).token))')"
# npm's own settings for these calls only: this registry, its token, an empty cache.
npmrc="$WORK/npmrc"
printf 'registry=%s\n//127.0.0.1:%s/:_authToken=%s\ncache=%s\naudit=false\nfund=false\nupdate-notifier=false\n' \
  "$REGISTRY" "$port" "$token" "$WORK/npm-cache" >"$npmrc"
export NPM_CONFIG_USERCONFIG="$npmrc" NPM_CONFIG_GLOBALCONFIG=/dev/null
# The platform package first: the main one names it in optionalDependencies.
for tgz in "$DIST"/npm/routerkit-linux-*.tgz "$DIST/npm/routerkit-$VERSION.tgz"; do
  npm publish "$tgz" --registry "$REGISTRY" --loglevel=warn
done
app="$WORK/node/app"
mkdir -p "$app"
(cd "$app" && npm init -y >/dev/null && npm install routerkit --registry "$REGISTRY" --loglevel=warn && npm ls --all)
cp examples/node/*.mjs "$app/"
for ex in chat stream error-handling; do
  echo "== examples/node/$ex.mjs"
  (cd "$app" && node "$ex.mjs")
done
resolved="$(cd "$app" && node -p 'require.resolve("routerkit")')"
case "$resolved" in "$app/node_modules/"*) ;; *) die "routerkit resolved to $resolved, not the install" ;; esac
sizes=""
for d in "$app"/node_modules/routerkit*; do
  sizes+="$(basename "$d") $(node -p "require('$d/package.json').version") ($(human "$(tree_bytes "$d")")), "
done
ms="$(for i in 1 2 3 4 5; do (cd "$app" && node -e 'const t = process.hrtime.bigint(); require("routerkit"); console.log((Number(process.hrtime.bigint() - t) / 1e6).toFixed(1))'); done | sort -n | sed -n 3p)"
installed node "${sizes%, } in node_modules; require(\"routerkit\"): $ms ms"

# --- Go -------------------------------------------------------------------------------------
say "go: go get $GO_MODULE@v$VERSION through GOPROXY=file://$DIST/goproxy"
gomod="$WORK/go/app"
mkdir -p "$gomod"
# The local proxy is the only source; it has no checksum database (sum.golang.org is not
# reachable from here), so the checks against one are off. A fresh module cache and build cache.
export GOPROXY="file://$DIST/goproxy" GOSUMDB=off GOFLAGS="-modcacherw -buildvcs=false" \
  GOMODCACHE="$WORK/go/modcache" GOCACHE="$WORK/go/cache" CGO_ENABLED=1 GOWORK=off GOTOOLCHAIN=local
for ex in basic stream retry; do
  mkdir -p "$gomod/cmd/$ex"
  cp examples/go/$ex/*.go "$gomod/cmd/$ex/"
done
(cd "$gomod" && go mod init example.com/routerkit-user && go get "$GO_MODULE@v$VERSION" && go mod tidy)
grep -q '^replace' "$gomod/go.mod" && die "go.mod has a replace directive"
cat "$gomod/go.mod"
for ex in basic stream retry; do
  echo "== examples/go/$ex"
  (cd "$gomod" && go build -o "$WORK/go/bin/$ex" "./cmd/$ex" && "$WORK/go/bin/$ex")
done
echo "the basic example links librouterkit.a statically: $(ldd "$WORK/go/bin/basic" | grep -c routerkit || true) shared routerkit libraries; newest glibc symbol it needs: GLIBC_$(glibc_max "$WORK/go/bin/basic") (a program takes the versions of the glibc it is linked on, here $(ldd --version | head -1 | awk '{ print $NF }'); the archive is built against $GLIBC_FLOOR)"
moddir="$GOMODCACHE/$GO_MODULE@v$VERSION"
installed go "$GO_MODULE v$VERSION ($(human "$(tree_bytes "$moddir")") in the module cache, lib/$GO_PLATFORM/librouterkit.a $(human "$(bytes "$moddir/lib/$GO_PLATFORM/librouterkit.a")")); the basic example's binary: $(human "$(bytes "$WORK/go/bin/basic")")"

say "installed"
cat "$SUMMARY"
