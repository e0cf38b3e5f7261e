# Sourced by scripts/dist/build.sh and check.sh: paths, the pinned build tools, sizes.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DIST="$ROOT/dist"
TOOLS="$CARGO_TARGET_DIR/dist-tools"
# The platform this machine builds: Rust's target, with the glibc floor of manylinux2014.
RUST_TARGET=x86_64-unknown-linux-gnu
GLIBC_FLOOR=2.17
NPM_PLATFORM=linux-x64-gnu
GO_PLATFORM=linux_amd64
GO_MODULE=github.com/routerkit/routerkit/bindings/go

say() { printf '\n=== %s ===\n' "$*"; }
die() { echo "dist: $*" >&2; exit 1; }

# The version every package carries: the workspace's.
dist_version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1
}

# The pinned Python tools (maturin, ziglang, cargo-zigbuild, auditwheel, pypiserver) in a venv
# of their own, reinstalled when requirements.txt changes.
dist_tools() {
  local venv="$TOOLS/venv" req="$ROOT/scripts/dist/requirements.txt"
  if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
  fi
  if ! cmp -s "$req" "$venv/requirements.txt"; then
    "$venv/bin/pip" --disable-pip-version-check -q install -r "$req"
    cp "$req" "$venv/requirements.txt"
  fi
  export PATH="$venv/bin:$PATH"
}

bytes() { stat -c %s "$1"; }
# Decimal units, as the bounds are stated (a 6 MB wheel is 6,000,000 bytes): 2480862 -> "2.48 MB".
human() { awk -v b="$1" 'BEGIN { if (b >= 1000000) printf "%.2f MB", b / 1e6; else printf "%.0f kB", b / 1e3 }'; }
# Bytes under a directory (apparent sizes, as an unpacked package is measured).
tree_bytes() { du -sb "$1" | cut -f1; }

# Highest GLIBC_x.y symbol version a shared object or archive asks for ("none" if it asks none).
glibc_max() {
  { objdump -T "$1" 2>/dev/null || objdump -t "$1" 2>/dev/null; } | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1 | grep . || echo none
}

# Fails unless FILE needs no glibc symbol newer than the floor.
check_glibc() {
  local max
  max="$(glibc_max "$1")"
  if [[ $max != none && "$(printf '%s\n%s\n' "$max" "$GLIBC_FLOOR" | sort -V | tail -1)" != "$GLIBC_FLOOR" ]]; then
    die "$1 needs GLIBC_$max, newer than the $GLIBC_FLOOR floor"
  fi
  echo "glibc: newest symbol version needed by $(basename "$1"): GLIBC_$max (floor $GLIBC_FLOOR): ok"
}

# Fails when a file is over a bound in bytes.
check_max() {
  local what="$1" size="$2" max="$3"
  ((size <= max)) || die "$what is $(human "$size"), over its bound of $(human "$max")"
}
