"""Runs each program of tests/dropin/<lang>/ twice against one mock gateway: on the peer SDK as
written, then on routerkit with only its import lines changed; their outputs must be equal.

Usage: compare.py LANG PEER_CMD ROUTERKIT_CMD [PROGRAM...]   (LANG: python or node; no PROGRAM: every
program file of tests/dropin/LANG, so a new one runs without an edit here)
PEER_CMD / ROUTERKIT_CMD: the interpreter to run each side with (a path). Prints a line per
program, the first differing lines of a mismatch, then "N passed, N failed".
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TIMEOUT = 60

# The import lines, and only them: what a user changes to move a program to routerkit.
REWRITES = {
    "python": [
        (re.compile(r"^(\s*)from openai(\.[\w.]+)? import "), r"\1from routerkit\2 import "),
        (re.compile(r"^(\s*)import openai[ \t]*$"), r"\1import routerkit as openai"),
    ],
    "node": [
        (re.compile(r"^(import .* from |const .* = require\()(['\"])openai(/[^'\"]*)?\2"), r"\1\2routerkit\3\2"),
    ],
}
# Python programs that are also type-checked (mypy --strict) against both SDKs.
TYPED_PYTHON = ("types_imports.py",)
SUFFIXES = {"python": (".py",), "node": (".mjs", ".cjs")}
# Behind a gateway (DROPIN_GATEWAY_URL): the programs it cannot serve, each with the reason. They
# still run, and must still fail or differ there: one that passes is taken off the list.
UNSERVED = HERE / "litellm-unserved.txt"


def unserved(lang: str) -> "dict[str, str]":
    """`<lang>/<program> <why>` lines of UNSERVED, for LANG: program name -> why."""
    out = {}
    for line in UNSERVED.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition(" ")
            if name.startswith(lang + "/"):
                out[name[len(lang) + 1 :]] = why.strip()
    return out


# What must not be left after the rewrite: a program still importing the peer would run on it twice.
LEFTOVER = re.compile(r"^\s*(from openai\b|import openai\b|import .* from ['\"]openai|.*\brequire\(['\"]openai)", re.M)


def port(lang: str, text: str) -> str:
    out = []
    for line in text.splitlines():
        for pattern, repl in REWRITES[lang]:
            line = pattern.sub(repl, line)
        out.append(line)
    ported = "\n".join(out) + "\n"
    code = "\n".join(line for line in out if not line.lstrip().startswith(("#", "//")))
    left = LEFTOVER.search(code)
    if ported == text or left:
        raise SystemExit(
            f"an import of the peer is left after the rewrite: {left.group(0) if left else '(none changed)'}"
        )
    return ported


def start_mock() -> "tuple[subprocess.Popen[bytes], str]":
    target = os.environ.get("CARGO_TARGET_DIR") or str(ROOT / "target")
    binary = os.environ.get("ROUTERKIT_MOCK") or str(Path(target) / "debug" / "routerkit-mock")
    proc = subprocess.Popen(
        [binary, "--port", "0", "--exit-on-stdin-close"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().decode().strip()


def fresh(mock_url: str) -> None:
    """Behind a gateway, which does not pass `x-mock-session` on, every request is in the mock's
    default session: forget it before each run, so that both start from request 1."""
    if os.environ.get("DROPIN_GATEWAY_URL"):
        req = urllib.request.Request(mock_url + "/__mock/sessions/default", method="DELETE")
        urllib.request.urlopen(req, timeout=10).close()


def run(cmd: str, program: Path, mock_url: str, session: str, cwd: str) -> "tuple[int, str]":
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THEROUTER_", "OPENAI_", "ROUTERKIT_"))}
    env.update(
        # DROPIN_GATEWAY_URL/KEY: a gateway in front of the mock (run-litellm.sh), else the mock itself.
        OPENAI_API_KEY=os.environ.get("DROPIN_GATEWAY_KEY", "sk-dropin-0123456789abcdef"),
        OPENAI_BASE_URL=os.environ.get("DROPIN_GATEWAY_URL", mock_url + "/v1"),
        MOCK_URL=mock_url,
        MOCK_SESSION=session,
        PYTHONDONTWRITEBYTECODE="1",
    )
    try:
        p = subprocess.run([cmd, str(program)], cwd=cwd, env=env, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return -1, f"(timed out after {TIMEOUT} s)\n"
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        out += "--- stderr ---\n" + p.stderr.decode("utf-8", "replace")[-3000:]
    return p.returncode, out


def main() -> int:
    lang, peer_cmd, rk_cmd, *names = sys.argv[1:]
    folder = HERE / lang
    programs = [folder / n for n in names] or sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES[lang])
    # DROPIN_MOCK_URL: a mock already running (behind a gateway); otherwise one of our own.
    proc, url = (None, os.environ["DROPIN_MOCK_URL"]) if os.environ.get("DROPIN_MOCK_URL") else start_mock()
    gateway = bool(os.environ.get("DROPIN_GATEWAY_URL"))
    known = unserved(lang) if gateway else {}
    passed = failed = skipped = 0
    try:
        # The routerkit copies sit in the program folder (so that node_modules resolves), under .out/.
        out_dir = folder / ".out"
        out_dir.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory() as cwd:  # no .env file where the programs run
            for program in programs:
                ported = out_dir / program.name
                ported.write_text(port(lang, program.read_text()))
                sid = uuid.uuid4().hex[:8]
                started = time.monotonic()
                fresh(url)
                peer_rc, peer_out = run(peer_cmd, program, url, f"{program.stem}-peer-{sid}", cwd)
                fresh(url)
                rk_rc, rk_out = run(rk_cmd, ported, url, f"{program.stem}-rk-{sid}", cwd)
                took = f"{time.monotonic() - started:.1f} s"
                same = peer_rc == 0 and (rk_rc, rk_out) == (peer_rc, peer_out)
                if program.name in known:
                    if same:
                        failed += 1
                        print(
                            f"FAIL {lang}/{program.name}: passes through the gateway now: take it off {UNSERVED.name}"
                        )
                    else:
                        skipped += 1
                        why = "fails on the peer" if peer_rc != 0 else "the outputs differ"
                        print(f"unserved {lang}/{program.name} ({why}, as {UNSERVED.name} says): {known[program.name]}")
                elif peer_rc != 0:
                    failed += 1
                    print(f"FAIL {lang}/{program.name}: fails on the peer SDK (exit {peer_rc})\n{peer_out}")
                elif (rk_rc, rk_out) != (peer_rc, peer_out):
                    failed += 1
                    diff = difflib.unified_diff(
                        peer_out.splitlines(), rk_out.splitlines(), "peer", "routerkit", lineterm="", n=1
                    )
                    print(f"FAIL {lang}/{program.name}: routerkit's output differs (exit {rk_rc})")
                    print("\n".join(list(diff)[:40]))
                else:
                    passed += 1
                    print(f"ok   {lang}/{program.name} ({len(peer_out.splitlines())} lines, {took})")
    finally:
        if proc is not None:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(5)
    # Typed Python programs (TYPED_PYTHON): mypy --strict must accept them on both SDKs.
    mypys = (os.environ.get("DROPIN_MYPY_PEER"), os.environ.get("DROPIN_MYPY_ROUTERKIT"))
    # (Not behind a gateway: the type checks do not depend on it, and ran against the mock.)
    if lang == "python" and all(mypys) and not gateway:
        for name in TYPED_PYTHON:
            sides = ((mypys[0], folder / name, "the peer SDK"), (mypys[1], folder / ".out" / name, "routerkit"))
            (folder / ".out" / name).write_text(port(lang, (folder / name).read_text()))
            ok = True
            for python, path, side in sides:
                r = subprocess.run(
                    [str(python), "-m", "mypy", "--strict", "--no-incremental", str(path)],
                    capture_output=True,
                    text=True,
                    cwd=HERE,  # no mypy.ini here: the caller's (bindings/python's pins Python 3.9) does not apply
                )
                if r.returncode != 0:
                    ok = False
                    print(f"FAIL {lang}/{name}: mypy --strict rejects it on {side}\n{r.stdout}{r.stderr}")
            passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
            if ok:
                print(f"ok   {lang}/{name} (mypy --strict on both)")
    # Typed programs (node/typed/*.mts): tsc must accept them against both SDKs' declarations.
    tsc = os.environ.get("DROPIN_TSC")
    typed = folder / "typed"
    if lang == "node" and tsc and typed.is_dir() and not gateway:
        ported_dir = folder / ".out" / "typed"
        ported_dir.mkdir(parents=True, exist_ok=True)
        for f in typed.iterdir():
            (ported_dir / f.name).write_text(port(lang, f.read_text()) if f.suffix == ".mts" else f.read_text())
        results = [
            subprocess.run([tsc, "-p", str(d / "tsconfig.json")], capture_output=True, text=True)
            for d in (typed, ported_dir)
        ]
        for side, r in zip(("the peer SDK", "routerkit"), results):
            if r.returncode != 0:
                failed += 1
                print(f"FAIL {lang}/typed: tsc rejects it on {side}\n{r.stdout}{r.stderr}")
        if all(r.returncode == 0 for r in results):
            passed += 1
            print(f"ok   {lang}/typed (tsc on both)")
    where = f" through {os.environ['DROPIN_GATEWAY_URL']}" if gateway else ""
    listed = f", {skipped} unserved (listed in {UNSERVED.name})" if gateway else ""
    print(f"dropin {lang}{where}: {passed} passed, {failed} failed{listed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
