#!/usr/bin/env bash
# make dist: the packages a user installs, for the platform this machine builds (Linux x86_64,
# glibc >= 2.17), into dist/:
#   dist/python/   the manylinux2014 abi3 wheel (CPython >= 3.9) and the sdist
#   dist/npm/      routerkit-<v>.tgz and routerkit-linux-x64-gnu-<v>.tgz (napi-rs's layout)
#   dist/goproxy/  a module proxy tree serving the Go module (prebuilt librouterkit.a inside) and its deps
#   dist/crates/   routerkit-<v>.crate and routerkit-mock-<v>.crate (checked by cargo publish --dry-run)
# Everything native is built with the `dist` profile (release code, no debug info, stripped) and
# linked by zig against glibc 2.17. Sizes and the glibc check are printed, and dist/SIZES.txt keeps them.
# The other platforms: .github/workflows/release.yml.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

VERSION="$(dist_version)"
[[ -n $VERSION ]] || die "no version in Cargo.toml"
for pj in bindings/node/package.json bindings/node/npm/*/package.json; do
  v="$(node -p "require('./$pj').version")"
  [[ $v == "$VERSION" ]] || die "$pj has version $v, the workspace $VERSION"
done

dist_tools
rm -rf "$DIST"
mkdir -p "$DIST"/{python,npm,goproxy,crates}
STAGE="$CARGO_TARGET_DIR/dist-stage"
rm -rf "$STAGE"
mkdir -p "$STAGE"
SIZES="$DIST/SIZES.txt"
: >"$SIZES"
record() { printf '%-58s %s\n' "$1" "$2" | tee -a "$SIZES"; }

# --- Python: maturin with zig as the linker, tagged and checked as manylinux2014 -------------
say "python: wheel and sdist"
# A target dir of its own: maturin's zig set-up sets other compiler flags than cargo-zigbuild's,
# and in one dir each build would undo the other's.
(cd bindings/python &&
  maturin build --profile dist --zig --compatibility manylinux2014 --target "$RUST_TARGET" \
    --target-dir "$CARGO_TARGET_DIR/dist-python" --out "$DIST/python" &&
  maturin sdist --out "$DIST/python")
wheel="$(ls "$DIST"/python/routerkit-"$VERSION"-cp39-abi3-*manylinux_2_17_x86_64*.whl)"
sdist="$(ls "$DIST"/python/routerkit-"$VERSION".tar.gz)"
auditwheel show "$wheel" | tee "$STAGE/auditwheel.txt"
grep -q '"manylinux_2_17_x86_64"' "$STAGE/auditwheel.txt" || die "auditwheel does not find $wheel manylinux_2_17"
mkdir -p "$STAGE/wheel"
(cd "$STAGE/wheel" && python3 -m zipfile -e "$wheel" .)
so="$STAGE/wheel/routerkit/_routerkit.abi3.so"
file "$so" | grep -q ', stripped' || die "$so is not stripped"
check_glibc "$so"
check_max "the wheel" "$(bytes "$wheel")" 6000000
record "$(basename "$wheel")" "$(human "$(bytes "$wheel")") (its _routerkit.abi3.so: $(human "$(bytes "$so")"))"
record "$(basename "$sdist")" "$(human "$(bytes "$sdist")")"

# --- Node addon and the C ABI's static library: cargo-zigbuild, same glibc floor -------------
say "node addon and librouterkit.a ($RUST_TARGET, glibc $GLIBC_FLOOR)"
cargo zigbuild --profile dist --target "$RUST_TARGET.$GLIBC_FLOOR" -p routerkit-node -p routerkit-c
out="$CARGO_TARGET_DIR/$RUST_TARGET/dist"

# --- npm: the main package and its platform package, napi-rs's layout ----------------------
say "npm: routerkit and routerkit-$NPM_PLATFORM"
plat="$STAGE/npm/$NPM_PLATFORM"
main="$STAGE/npm/routerkit"
mkdir -p "$plat" "$main"
cp bindings/node/npm/$NPM_PLATFORM/package.json "$plat/"
cp "$out/librouterkit_node.so" "$plat/routerkit.$NPM_PLATFORM.node"
file "$plat/routerkit.$NPM_PLATFORM.node" | grep -q ', stripped' || die "the addon is not stripped"
check_glibc "$plat/routerkit.$NPM_PLATFORM.node"
# The main package: the binding's tracked files (its package.json's "files" picks what ships),
# with the platform packages built here as optionalDependencies, as `napi pre-publish` writes them.
git ls-files -z bindings/node | grep -zv '^bindings/node/npm/' | while IFS= read -r -d '' f; do
  [[ -f $f ]] || continue
  mkdir -p "$main/$(dirname "${f#bindings/node/}")"
  cp "$f" "$main/${f#bindings/node/}"
done
for dir in "$STAGE"/npm/*/; do
  [[ $dir == "$main/" ]] && continue
  name="$(node -p "require('$dir/package.json').name")"
  node -e '
    const fs = require("fs"), [file, name, version] = process.argv.slice(1);
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    pkg.optionalDependencies = { ...(pkg.optionalDependencies || {}), [name]: version };
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
  ' "$main/package.json" "$name" "$VERSION"
done
for pkg in "$plat" "$main"; do
  (cd "$pkg" && npm pack --json --pack-destination "$DIST/npm" --loglevel=warn >"$STAGE/pack.json")
  file="$(node -p "require('$STAGE/pack.json')[0].filename")"
  unpacked="$(node -p "require('$STAGE/pack.json')[0].unpackedSize")"
  [[ $pkg == "$plat" ]] && check_max "the unpacked platform package" "$unpacked" 8000000
  record "npm/$file" "$(human "$(bytes "$DIST/npm/$file")") packed, $(human "$unpacked") unpacked"
done

# --- Go: the module with its static library inside, as a module proxy tree -----------------
say "go: $GO_MODULE@v$VERSION with lib/$GO_PLATFORM/librouterkit.a"
mod="$STAGE/go"
mkdir -p "$mod"
git ls-files -z bindings/go | while IFS= read -r -d '' f; do
  [[ -f $f ]] || continue
  mkdir -p "$mod/$(dirname "${f#bindings/go/}")"
  cp "$f" "$mod/${f#bindings/go/}"
done
mkdir -p "$mod/lib/$GO_PLATFORM" "$mod/include"
# cargo's strip applies to linked outputs, not to an archive: its debug sections go here.
strip --strip-debug -o "$mod/lib/$GO_PLATFORM/librouterkit.a" "$out/librouterkit.a"
cp bindings/c/include/routerkit.h "$mod/include/"
# An archive's references carry no symbol versions until it is linked: check.sh reports the
# glibc a Go program linked with it needs.
time="$(TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd)"
zip="$(python3 scripts/dist/goproxy.py "$DIST/goproxy" "$GO_MODULE" "v$VERSION" "$mod" "$time")"
# The module's dependencies, from the module cache, so the proxy serves the whole build list.
(cd bindings/go && go mod download -json) | python3 scripts/dist/goproxy.py --copy-downloaded "$DIST/goproxy"
record "goproxy/$GO_MODULE/@v/v$VERSION.zip" "$(human "$(bytes "$zip")") (lib/$GO_PLATFORM/librouterkit.a: $(human "$(bytes "$mod/lib/$GO_PLATFORM/librouterkit.a")"))"

# --- Rust: the crate and the mock gateway users' tests run, as crates.io would take them -----
say "crates: cargo publish --dry-run -p routerkit -p routerkit-mock"
# --allow-dirty: a work tree with uncommitted changes packs them; a release runs from a clean tag.
cargo publish --dry-run --allow-dirty -p routerkit -p routerkit-mock
# The dry run keeps no .crate: pack the same files again, already verified.
cargo package --no-verify --allow-dirty -p routerkit -p routerkit-mock 2>&1 | grep -v '^warning: ignoring test'
for crate in routerkit routerkit-mock; do
  cp "$CARGO_TARGET_DIR/package/$crate-$VERSION.crate" "$DIST/crates/"
  record "crates/$crate-$VERSION.crate" "$(human "$(bytes "$DIST/crates/$crate-$VERSION.crate")")"
done

say "dist/ ($VERSION)"
cat "$SIZES"
