#!/usr/bin/env python3
"""Lays a Go module out as a module proxy serves it (the GOPROXY protocol, file:// form):

    <proxy>/<module>/@v/list            one version a line
    <proxy>/<module>/@v/<version>.info  {"Version": ..., "Time": ...}
    <proxy>/<module>/@v/<version>.mod   the go.mod
    <proxy>/<module>/@v/<version>.zip   every file under "<module>@<version>/"

Usage: goproxy.py PROXY_DIR MODULE VERSION MODULE_DIR TIME
       go mod download -json | goproxy.py --copy-downloaded PROXY_DIR

The first form zips MODULE_DIR (already staged: sources, lib/, include/) with the rules of
golang.org/x/mod/zip that matter here (regular files only, no nested module, no .git, a size
bound); the second copies the files of the modules that `go mod download` fetched (the module's
dependencies) into the tree, so that the proxy serves the whole build list and needs no network.
"""

import json
import os
import shutil
import sys
import zipfile

# golang.org/x/mod/zip's bounds on a module zip.
MAX_ZIP_FILE = 500 << 20
MAX_GO_MOD = 16 << 20


def escape(path: str) -> str:
    """The module proxy's case escaping: an upper-case letter becomes '!' and its lower case."""
    return "".join("!" + c.lower() if c.isupper() else c for c in path)


def add_version(proxy: str, module: str, version: str, module_dir: str, time: str) -> str:
    vdir = os.path.join(proxy, escape(module), "@v")
    os.makedirs(vdir, exist_ok=True)
    with open(os.path.join(module_dir, "go.mod"), "rb") as f:
        gomod = f.read()
    if len(gomod) > MAX_GO_MOD:
        sys.exit(f"goproxy: go.mod is over {MAX_GO_MOD} bytes")
    files = []
    for root, dirs, names in os.walk(module_dir):
        rel_root = os.path.relpath(root, module_dir)
        # A directory with its own go.mod is another module, and VCS folders are never included.
        dirs[:] = sorted(
            d for d in dirs if d not in (".git", ".hg", ".svn") and not os.path.exists(os.path.join(root, d, "go.mod"))
        )
        for name in sorted(names):
            full = os.path.join(root, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            rel = name if rel_root == "." else os.path.join(rel_root, name)
            files.append((rel.replace(os.sep, "/"), full))
    zip_path = os.path.join(vdir, version + ".zip")
    prefix = f"{module}@{version}/"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for rel, full in files:
            z.write(full, prefix + rel)
    if os.path.getsize(zip_path) > MAX_ZIP_FILE:
        sys.exit(f"goproxy: {zip_path} is over the module proxy's {MAX_ZIP_FILE} bytes")
    with open(os.path.join(vdir, version + ".mod"), "wb") as f:
        f.write(gomod)
    with open(os.path.join(vdir, version + ".info"), "w") as f:
        json.dump({"Version": version, "Time": time}, f)
        f.write("\n")
    list_path = os.path.join(vdir, "list")
    versions = set()
    if os.path.exists(list_path):
        with open(list_path) as f:
            versions = {line.strip() for line in f if line.strip()}
    versions.add(version)
    with open(list_path, "w") as f:
        f.write("".join(v + "\n" for v in sorted(versions)))
    return zip_path


def copy_downloaded(proxy: str, stream: str) -> None:
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        while pos < len(stream) and stream[pos].isspace():
            pos += 1
        if pos == len(stream):
            break
        mod, pos = decoder.raw_decode(stream, pos)
        if mod.get("Error"):
            sys.exit(f"goproxy: {mod['Path']}@{mod.get('Version')}: {mod['Error']}")
        dst = os.path.join(proxy, escape(mod["Path"]), "@v")
        os.makedirs(dst, exist_ok=True)
        for key, ext in (("Info", ".info"), ("GoMod", ".mod"), ("Zip", ".zip")):
            if mod.get(key):
                shutil.copyfile(mod[key], os.path.join(dst, mod["Version"] + ext))
        with open(os.path.join(dst, "list"), "a") as f:
            f.write(mod["Version"] + "\n")
        print(f"{mod['Path']}@{mod['Version']}")


def main(argv: list) -> None:
    if len(argv) == 2 and argv[0] == "--copy-downloaded":
        copy_downloaded(argv[1], sys.stdin.read())
        return
    if len(argv) != 5:
        sys.exit(__doc__)
    print(add_version(*argv))


if __name__ == "__main__":
    main(sys.argv[1:])
