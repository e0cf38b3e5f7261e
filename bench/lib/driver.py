"""The benchmark driver: runs every client process against one mock gateway, collects
their JSON lines, and writes the table, the ratios against each language's peer, and
the chart. bench/run builds everything and calls this (see bench/README.md).

Each measurement is a fresh client process pinned to one core (`taskset -c 1`), the
mock pinned to the other. Runs are interleaved (run 1 of every client, then run 2...)
so that background load spreads over all clients alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hedge  # noqa: E402  (bench/lib/hedge.py: hedged streams' first-token p50/p99)
import scale  # noqa: E402  (bench/lib/scale.py: the scale curve)

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "bench" / ".peers"

# name -> (language, command). Filled in by clients().
PEER_OF = {
    "routerkit-rust": "raw-rust",
    "routerkit-python": "openai-python",
    "routerkit-python-async": "openai-python-async",
    "routerkit-node": "openai-node",
    "routerkit-go": "go-openai",
}
# The other peer a user of that language would pick today, shown as a second ratio row: the
# official Go SDK beside go-openai (which routerkit-go is a drop-in for), async-openai beside
# the raw reqwest floor.
MORE_PEERS = {
    "routerkit-rust": ["async-openai"],
    "routerkit-go": ["openai-go"],
}
ORDER = ["raw-rust", "async-openai", "routerkit-rust", "openai-python", "routerkit-python", "openai-python-async",
         "routerkit-python-async", "routerkit-python-uvloop", "openai-node", "routerkit-node", "go-openai", "openai-go",
         "routerkit-go"]
# Clients measured in some measurements only: routerkit's asyncio path on uvloop's loop (a common
# production loop) where the loop is what is measured.
ONLY_IN = {"routerkit-python-uvloop": {"concurrent"}}
# The clients with the Responses modes (`responses-stream`, `responses-concurrent`): the peers that
# speak the Responses stream are openai-python and openai-node.
RESPONSES_CLIENTS = {"openai-python", "routerkit-python", "openai-python-async", "routerkit-python-async",
                     "openai-node", "routerkit-node"}
# The full run's Responses stream, as long as chat's: openai-python spends about as much per event as
# per chat chunk (≈90 µs), so it costs the run what chat's 100,000-chunk stream does.
RESPONSES_BIG = 100_000


def clients(target: Path, node_module: str) -> dict[str, list[str]]:
    rust = str(target / "release" / "routerkit-bench")
    py_rk, py_oa = str(PEERS / "py-routerkit" / "bin" / "python"), str(PEERS / "py-openai" / "bin" / "python")
    pyc = str(ROOT / "bench" / "python" / "client.py")
    nodec = str(ROOT / "bench" / "node" / "client.js")
    gob = str(PEERS / "bin" / "go-client")
    return {
        "raw-rust": [rust, "--client", "raw"],
        "async-openai": [rust, "--client", "async-openai"],
        "routerkit-rust": [rust, "--client", "routerkit"],
        "openai-python": [py_oa, pyc, "--client", "openai"],
        "routerkit-python": [py_rk, pyc, "--client", "routerkit"],
        "openai-python-async": [py_oa, pyc, "--client", "openai", "--async"],
        "routerkit-python-async": [py_rk, pyc, "--client", "routerkit", "--async"],
        "routerkit-python-uvloop": [py_rk, pyc, "--client", "routerkit", "--async", "--uvloop"],
        "openai-node": ["node", nodec, "--client", "openai", "--module", str(PEERS / "node-openai" / "node_modules" / "openai")],
        "routerkit-node": ["node", nodec, "--client", "routerkit", "--module", node_module],
        "go-openai": [gob + "-go-openai", "--client", "go-openai"],
        "openai-go": [gob + "-openai-go", "--client", "openai-go"],
        "routerkit-go": [gob, "--client", "routerkit"],
    }


def measurements(quick: bool) -> list[dict]:
    """Each: key, protocol mode and args, which clients it applies to."""
    if quick:
        big, small, seq, streams, per, rbig = 2000, (500, 4), 100, 20, 50, 2000
    else:
        big, small, seq, streams, per, rbig = 100_000, (10_000, 10), 2000, 200, 1000, RESPONSES_BIG
    sync_python = {"openai-python", "routerkit-python"}
    return [
        {"key": "stream_big", "mode": "stream", "args": ["--n", str(big), "--repeat", "1"],
         "label": f"one {big:,}-chunk stream"},
        {"key": "stream_small", "mode": "stream", "args": ["--n", str(small[0]), "--repeat", str(small[1])],
         "label": f"{small[1]} streams of {small[0]:,} chunks"},
        {"key": "seq", "mode": "seq", "args": ["--n", str(seq)], "label": f"{seq:,} sequential requests"},
        {"key": "concurrent", "mode": "concurrent", "args": ["--n", str(per), "--streams", str(streams)],
         "label": f"{streams} concurrent streams × {per:,} chunks", "skip": sync_python},
        {"key": "responses_stream", "mode": "responses-stream", "args": ["--n", str(rbig), "--repeat", "1"],
         "label": f"one Responses stream of {rbig:,} deltas", "clients": RESPONSES_CLIENTS},
        {"key": "responses_concurrent", "mode": "responses-concurrent", "args": ["--n", str(per), "--streams", str(streams)],
         "label": f"{streams} concurrent Responses streams × {per:,} deltas", "clients": RESPONSES_CLIENTS,
         "skip": sync_python},
        {"key": "startup", "mode": "startup", "args": [], "label": "start-up"},
    ]


def applies(m: dict, client: str) -> bool:
    """Whether a measurement runs for a client (sync Python has no concurrent mode, only Python and
    Node have the Responses modes, uvloop's rows are concurrent streams only)."""
    if client in m.get("skip", ()) or ("clients" in m and client not in m["clients"]):
        return False
    return m["key"] in ONLY_IN.get(client, {m["key"]})


def warm_args(m: dict) -> list[str]:
    """A smaller run of the same measurement, for the warm-up pass."""
    out, it = [], iter(m["args"])
    for k in it:
        v = next(it)
        if k == "--n":
            v = str(max(10, int(v) // 10))
        out += [k, v]
    return out


# --- the machine ------------------------------------------------------------------------


def proc_cpu(pid: int) -> float:
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def system_busy() -> float:
    """CPU-seconds all cores spent busy (not idle/iowait) since boot."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(f) - f[3] - f[4]) / os.sysconf("SC_CLK_TCK")


def sh(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception:  # noqa: BLE001 - a missing tool is just "unknown"
        return "unknown"


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")), "unknown")
    mem = next((ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")), "0")

    def pkg_version(py: Path, pkg: str) -> str:
        return sh([str(py), "-c", f"import importlib.metadata as m; print(m.version('{pkg}'))"])

    node_oa = PEERS / "node-openai" / "node_modules" / "openai" / "package.json"
    gomod = (ROOT / "bench" / "go" / "go.mod").read_text() if (ROOT / "bench" / "go" / "go.mod").exists() else ""
    def go_version(path: str) -> str:
        return next((ln.split()[-1] for ln in gomod.splitlines() if path in ln.split() or f"require {path}" in ln), "?")

    lock = (ROOT / "Cargo.lock").read_text() if (ROOT / "Cargo.lock").exists() else ""
    aoa = lock.split('name = "async-openai"\nversion = "', 1)
    aoa_version = aoa[1].split('"', 1)[0] if len(aoa) == 2 else "?"
    return {
        "cpu": model,
        "nproc": os.cpu_count(),
        "mem_gib": round(int(mem) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "rustc": sh(["rustc", "--version"]),
        "python": sh([str(PEERS / "py-openai" / "bin" / "python"), "--version"]),
        "node": sh(["node", "--version"]),
        "go": sh(["go", "version"]),
        "openai-python": pkg_version(PEERS / "py-openai" / "bin" / "python", "openai"),
        "openai-node": json.loads(node_oa.read_text())["version"] if node_oa.exists() else "?",
        "go-openai": go_version("github.com/sashabaranov/go-openai"),
        "openai-go": go_version("github.com/openai/openai-go/v3"),
        "async-openai": aoa_version,
        "routerkit": sh(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
        + (" (dirty)" if sh(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"]) else ""),
    }


# --- running ---------------------------------------------------------------------------


class Mock:
    def __init__(self, binary: Path, core: str | None):
        cmd = [str(binary), "--port", "0", "--exit-on-stdin-close"]
        if core is not None:
            cmd = ["taskset", "-c", core] + cmd
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.url = self.p.stdout.readline().strip()
        if not self.url.startswith("http://"):
            raise SystemExit(f"the mock did not start: {self.url!r}")
        # taskset execs the mock: same pid.
        self.pid = self.p.pid

    def cpu(self) -> float:
        return proc_cpu(self.pid)

    def close(self) -> None:
        self.p.stdin.close()
        self.p.wait(timeout=10)


def run_one(cmd: list[str], mode: str, args: list[str], url: str, mock: Mock, pin: str | None, timeout: float) -> dict:
    full = cmd + ["--mode", mode] + args + (["--url", url] if mode != "startup" else [])
    if pin is not None:
        full = ["taskset", "-c", pin] + full
    m0, b0, t0 = mock.cpu(), system_busy(), time.perf_counter()
    p = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    m1, b1 = mock.cpu(), system_busy()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(full)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("{")][-1]
    r = json.loads(line)
    r["proc_wall_s"] = wall
    r["mock_cpu_s"] = m1 - m0
    # Everything else that ran on the machine meanwhile (other processes), in cores.
    r["busy_cores"] = (b1 - b0) / wall if wall > 0 else 0.0
    return r


def derive(key: str, r: dict) -> dict:
    """The figures shown for one run."""
    if key.startswith("stream"):
        return {"cpu_per_100k_s": r["cpu_s"] / r["chunks"] * 1e5, "chunks_per_s": r["chunks"] / r["wall_s"],
                "rss_mb": r["rss_kb"] / 1024, "mock_share": r["mock_cpu_s"] / r["wall_s"]}
    if key == "seq":
        return {"rps": r["requests"] / r["wall_s"], "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"],
                "cpu_per_req_us": r["cpu_s"] / r["requests"] * 1e6, "rss_mb": r["rss_kb"] / 1024}
    # A Responses stream's figures are per typed event (its deltas and the few framing events).
    if key == "responses_stream":
        return {"cpu_per_100k_s": r["cpu_s"] / r["events"] * 1e5, "events_per_s": r["events"] / r["wall_s"],
                "rss_mb": r["rss_kb"] / 1024, "mock_share": r["mock_cpu_s"] / r["wall_s"]}
    if key == "responses_concurrent":
        return {"events_per_s": r["events"] / r["wall_s"], "first_p50_ms": r["first_p50_ms"],
                "first_p99_ms": r["first_p99_ms"], "cpu_per_100k_s": r["cpu_s"] / r["events"] * 1e5,
                "rss_mb": r["rss_kb"] / 1024, "mock_share": r["mock_cpu_s"] / r["wall_s"]}
    if key == "concurrent":
        return {"chunks_per_s": r["chunks"] / r["wall_s"], "first_p50_ms": r["first_p50_ms"],
                "first_p99_ms": r["first_p99_ms"], "cpu_per_100k_s": r["cpu_s"] / r["chunks"] * 1e5,
                "rss_mb": r["rss_kb"] / 1024, "mock_share": r["mock_cpu_s"] / r["wall_s"]}
    return {"import_ms": r["import_ms"], "proc_ms": r["proc_wall_s"] * 1e3, "rss_mb": r["rss_kb"] / 1024}


def load_artifacts(path: str | None) -> dict:
    """bench/run's manifest: which routerkit artifacts were installed (dist/ or the build tree)."""
    if path and Path(path).exists():
        return json.loads(Path(path).read_text())
    return {"mode": "tree", "node_module": str(PEERS / "node-routerkit" / "routerkit"), "artifacts": []}


def artifact_lines(art: dict | None) -> list[str]:
    """The results' header: what was measured, by file name and size."""
    if not art:
        return []
    if art["mode"] == "dist":
        head = ("- routerkit artifacts measured: the shipped ones, from `make dist` (profile `dist`: release code, "
                "no debug info, stripped), installed as users install them:")
    else:
        head = ("- routerkit artifacts measured: **the build tree** (`bench/run --from-tree`: release profile with "
                "debug info, not what users install):")
    out = [head]
    for a in art["artifacts"]:
        size = f"{a['bytes'] / 1e6:.2f} MB" if a["bytes"] >= 1e6 else f"{a['bytes'] / 1e3:.0f} kB"
        # Relative to the repository when under it: the Go zip's own name (v0.1.0.zip) says little.
        shown = os.path.relpath(a["path"], ROOT) if a["path"].startswith(str(ROOT) + os.sep) else a["file"]
        out.append(f"  - {a['role']}: `{shown}` ({size})" + (f" — {a['note']}" if a["note"] else ""))
    out.append("  - Rust: the `routerkit` crate built from the tree in the release profile (as `cargo add` users compile it); "
               "the mock gateway likewise")
    return out


def summarize(vals: list[float]) -> dict:
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


# --- report ----------------------------------------------------------------------------

# (measurement, metric, label, lower is better)
COLUMNS = [
    ("stream_big", "cpu_per_100k_s", "CPU s / 100k chunks ({big})", True),
    ("stream_big", "chunks_per_s", "chunks/s ({big})", False),
    ("stream_small", "cpu_per_100k_s", "CPU s / 100k chunks ({small})", True),
    ("stream_small", "chunks_per_s", "chunks/s ({small})", False),
    ("seq", "rps", "sequential req/s", False),
    ("seq", "p50_ms", "seq p50 ms", True),
    ("seq", "p99_ms", "seq p99 ms", True),
    ("concurrent", "chunks_per_s", "concurrent chunks/s", False),
    ("concurrent", "first_p50_ms", "first chunk p50 ms", True),
    ("concurrent", "first_p99_ms", "first chunk p99 ms", True),
    ("concurrent", "rss_mb", "concurrent peak RSS MB", True),
    ("startup", "import_ms", "import/require ms", True),
    ("startup", "proc_ms", "process start-to-exit ms", True),
    ("stream_big", "rss_mb", "stream peak RSS MB", True),
    ("responses_stream", "cpu_per_100k_s", "CPU s / 100k events ({rbig})", True),
    ("responses_stream", "events_per_s", "events/s ({rbig})", False),
    ("responses_concurrent", "events_per_s", "concurrent events/s ({rconc})", False),
    ("responses_concurrent", "first_p50_ms", "first delta p50 ms", True),
    ("responses_concurrent", "first_p99_ms", "first delta p99 ms", True),
    ("responses_concurrent", "cpu_per_100k_s", "concurrent CPU s / 100k events", True),
    ("responses_concurrent", "rss_mb", "peak RSS MB ({rconc})", True),
]


def column_label(template: str, labels: dict) -> str:
    """A column's heading: its measurement's label where the template names one."""
    return template.format(big=labels.get("stream_big", "big"), small=labels.get("stream_small", "small"),
                           rbig=labels.get("responses_stream", "Responses stream"),
                           rconc=labels.get("responses_concurrent", "concurrent Responses streams"))


def ratios(stats: dict) -> dict:
    """Every routerkit figure ÷ its peers' (same run), by "client / peer" then "measurement.metric"."""
    out: dict = {}
    for client in ORDER:
        for peer in [PEER_OF.get(client)] + MORE_PEERS.get(client, []):
            if client not in stats or peer not in stats:
                continue
            for key, metric, _, _ in COLUMNS:
                a, b = stats[client].get(key, {}).get(metric), stats[peer].get(key, {}).get(metric)
                if a and b and b["median"]:
                    out.setdefault(f"{client} / {peer}", {})[f"{key}.{metric}"] = a["median"] / b["median"]
    return out

# (routerkit client, measurement, metric, kind, bound, text). kind "ratio_max": rk/peer <= bound;
# "ratio_min": rk/peer >= bound; "abs_max": rk value < bound.
TARGETS = [
    ("routerkit-python", "stream_big", "cpu_per_100k_s", "ratio_max", 1 / 30, "issue 3: CPU per streamed chunk ≤ 1/30 of openai-python"),
    ("routerkit-python-async", "stream_big", "cpu_per_100k_s", "ratio_max", 1 / 30, "issue 3: CPU per streamed chunk ≤ 1/30 of openai-python (async)"),
    ("routerkit-python", "seq", "rps", "ratio_min", 4, "issue 3: sequential req/s ≥ 4× openai-python"),
    ("routerkit-python-async", "seq", "rps", "ratio_min", 4, "issue 3: sequential req/s ≥ 4× openai-python (async)"),
    ("routerkit-python-async", "concurrent", "chunks_per_s", "ratio_min", 10, "issue 3: chunks/s over 200 asyncio streams ≥ 10× openai-python"),
    ("routerkit-python-async", "concurrent", "first_p99_ms", "abs_max", 100, "issue 3: first-chunk p99 over 200 asyncio streams < 100 ms"),
    ("routerkit-python", "startup", "import_ms", "ratio_max", 1 / 15, "issue 3: import routerkit ≤ 1/15 of import openai"),
    ("routerkit-node", "stream_big", "cpu_per_100k_s", "ratio_max", 1 / 4, "issue 4: CPU per streamed chunk ≤ 1/4 of openai-node"),
    ("routerkit-node", "seq", "rps", "ratio_min", 3, "issue 4: sequential req/s ≥ 3× openai-node"),
    ("routerkit-node", "seq", "p99_ms", "abs_max", 2, "issue 4: sequential p99 < 2 ms"),
    ("routerkit-node", "concurrent", "chunks_per_s", "ratio_min", 3, "issue 4: chunks/s over 200 streams ≥ 3× openai-node"),
    ("routerkit-node", "startup", "import_ms", "ratio_max", 1, "issue 4: require start-up cost smaller than openai-node's"),
    ("routerkit-go", "stream_big", "cpu_per_100k_s", "ratio_max", 1, "issue 5: CPU per streamed chunk ≤ go-openai's"),
    ("routerkit-go", "seq", "rps", "ratio_min", 1, "issue 5: sequential req/s ≥ go-openai's"),
    ("routerkit-go", "concurrent", "chunks_per_s", "ratio_min", 1, "issue 5: chunks/s over 200 streams ≥ go-openai's"),
    # Issue 21: the peers a user would pick today, and Python's asyncio path against Node's over the same engine.
    ("routerkit-python-async", "concurrent", "chunks_per_s", "ratio_min", 0.5,
     "issue 21: chunks/s over 200 asyncio streams ≥ 0.5× routerkit-node", "routerkit-node"),
    ("routerkit-go", "stream_big", "cpu_per_100k_s", "ratio_max", 1, "issue 21: CPU per streamed chunk ≤ openai-go's", "openai-go"),
    ("routerkit-go", "seq", "rps", "ratio_min", 1, "issue 21: sequential req/s ≥ openai-go's", "openai-go"),
    ("routerkit-go", "concurrent", "chunks_per_s", "ratio_min", 1, "issue 21: chunks/s over 200 streams ≥ openai-go's", "openai-go"),
    ("routerkit-rust", "stream_big", "cpu_per_100k_s", "ratio_max", 1, "issue 21: CPU per streamed chunk ≤ async-openai's", "async-openai"),
    ("routerkit-rust", "seq", "rps", "ratio_min", 1, "issue 21: sequential req/s ≥ async-openai's", "async-openai"),
    ("routerkit-rust", "concurrent", "chunks_per_s", "ratio_min", 1, "issue 21: chunks/s over 200 streams ≥ async-openai's", "async-openai"),
]


def fmt(v: float) -> str:
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def cell(s: dict | None) -> str:
    if not s:
        return "—"
    if s["n"] == 1:
        return fmt(s["median"])
    return f"{fmt(s['median'])} <sub>{fmt(s['min'])}–{fmt(s['max'])}</sub>"


def ratio_text(r: float) -> str:
    return f"{r:.3g}×"


def evaluate(stats: dict) -> list[dict]:
    out = []
    for client, key, metric, kind, bound, text, *against in TARGETS:
        rk = stats.get(client, {}).get(key, {}).get(metric)
        peer = stats.get(against[0] if against else PEER_OF[client], {}).get(key, {}).get(metric)
        row = {"target": text, "client": client, "met": None, "value": None}
        if rk is None or (kind != "abs_max" and peer is None):
            row["shown"] = "not measured"
            out.append(row)
            continue
        if kind == "abs_max":
            v = rk["median"]
            row.update(value=v, met=v < bound, shown=f"{fmt(v)} (bound {fmt(bound)})")
        else:
            r = rk["median"] / peer["median"] if peer["median"] else float("inf")
            met = r <= bound if kind == "ratio_max" else r >= bound
            need = ("≤ " if kind == "ratio_max" else "≥ ") + (f"1/{round(1 / bound)}" if bound < 1 else f"{bound:g}") + "×"
            row.update(value=r, met=met, shown=f"{ratio_text(r)} (need {need}; {fmt(rk['median'])} vs {fmt(peer['median'])})")
        out.append(row)
    return out


def markdown(stats: dict, meas: list[dict], info: dict, targets: list[dict], chart: str | None, cmdline: str) -> str:
    labels = {m["key"]: m["label"] for m in meas}
    present = [c for c in ORDER if c in stats]
    lines = [f"# routerkit benchmark — {info['date']}", ""]
    lines += [f"Reproduce: `{cmdline}` (from the repository root; `make bench` runs the same).", ""]
    lines += ["## Machine", ""]
    m = info["machine"]
    lines += [f"- CPU: {m['cpu']} × {m['nproc']} (nproc), {m['mem_gib']} GiB, Linux {m['kernel']}",
              f"- mock gateway pinned to core {info['mock_core']}, each client process to core {info['client_core']} (`taskset`)",
              f"- {m['rustc']}; {m['python']}; node {m['node']}; {m['go']}",
              f"- peers: openai-python {m['openai-python']}, openai-node {m['openai-node']}, go-openai {m['go-openai']}, "
              f"openai-go {m.get('openai-go', '?')} (github.com/openai/openai-go/v3), async-openai {m.get('async-openai', '?')}; "
              f"routerkit {m['routerkit']}",
              *artifact_lines(info.get("artifacts")),
              f"- {info['runs']} runs per figure after a warm-up pass; cells show the median and <sub>min–max</sub>",
              f"- load: {info['load']}", ""]
    lines += ["## Results", ""]
    groups = [
        ("Streaming", [c for c in COLUMNS if c[0].startswith("stream") and c[1] != "rss_mb"]),
        # Python and Node only: the peers with the Responses stream. Results from before it have no rows here.
        ("Responses streaming", [c for c in COLUMNS if c[0].startswith("responses_")]),
        ("Sequential non-streaming requests", [c for c in COLUMNS if c[0] == "seq"]),
        ("Concurrent streams (" + labels["concurrent"] + ")", [c for c in COLUMNS if c[0] == "concurrent"]),
        ("Start-up and memory", [c for c in COLUMNS if c[0] == "startup" or c[1] == "rss_mb" and c[0] == "stream_big"]),
    ]
    for title, cols in groups:
        heads = [column_label(c[2], labels) for c in cols]
        rows: list[str] = []
        for client in present:
            cells = [cell(stats[client].get(k, {}).get(mt)) for k, mt, _, _ in cols]
            if all(c == "—" for c in cells):
                continue  # not measured in this group (sync Python has no concurrent row)
            rows.append(f"| {client} | " + " | ".join(cells) + " |")
            for peer in [PEER_OF.get(client)] + MORE_PEERS.get(client, []):
                if peer not in stats:
                    continue
                rs = []
                for k, mt, _, _ in cols:
                    a, b = stats[client].get(k, {}).get(mt), stats[peer].get(k, {}).get(mt)
                    rs.append(ratio_text(a["median"] / b["median"]) if a and b and b["median"] else "—")
                rows.append(f"| ↳ ratio to {peer} | " + " | ".join(rs) + " |")
        if rows:
            lines += [f"### {title}", "", "| client | " + " | ".join(heads) + " |", "|---|" + "---|" * len(cols), *rows, ""]
    lines += ["Ratios are routerkit ÷ peer (for CPU, latency and memory lower is better; for throughput higher is better). "
              "CPU is the client process's own user+system time (every thread) during the measured part only; "
              "`import/require` is measured inside a fresh process (`import X` plus one client object; for Rust and Go, "
              "which have no import step, just the client object); `process start-to-exit` is the whole `--mode startup` process, "
              "interpreter start included."
              + (" Responses streaming: `responses.create(stream=True)` read to the end; an event is every typed event "
                 "the client yields (the deltas and the stream's few framing events, `response.created` … "
                 "`response.completed`), the first delta timed from the moment all streams are started."
                 if any(k.startswith("responses_") for c in stats.values() for k in c) else ""), ""]
    lines += ["## Targets (issues 3, 4, 5, 21)", "", "| target | result | |", "|---|---|---|"]
    for t in targets:
        mark = "—" if t["met"] is None else ("met" if t["met"] else "**not met**")
        lines.append(f"| {t['target']} | {t['shown']} | {mark} |")
    lines.append("")
    if info.get("failures"):
        lines += ["## Failed runs", ""] + [f"- `{f}`" for f in info["failures"]] + [""]
    if info.get("mock"):
        lines += ["## The mock gateway", "", info["mock"], ""]
    if chart:
        lines += ["## Chart", "", f"![benchmark chart]({chart})", ""]
    return "\n".join(lines)


def chart(stats: dict, path: Path, title: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no chart", file=sys.stderr)
        return False
    present = [c for c in ORDER if c in stats]
    colors = ["#d62728" if c.startswith("routerkit") else "#7f7f7f" for c in present]
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2))
    for ax, (key, metric, label) in zip(axes, [("stream_big", "cpu_per_100k_s", "CPU seconds per 100k streamed chunks (lower is better)"),
                                                ("seq", "rps", "sequential requests/s (higher is better)")]):
        vals = [stats[c].get(key, {}).get(metric, {}).get("median", 0) for c in present]
        lows = [stats[c].get(key, {}).get(metric, {}).get("min", 0) for c in present]
        highs = [stats[c].get(key, {}).get(metric, {}).get("max", 0) for c in present]
        err = [[max(0, v - lo) for v, lo in zip(vals, lows)], [max(0, hi - v) for v, hi in zip(vals, highs)]]
        ax.barh(present, vals, color=colors, xerr=err, capsize=2)
        ax.set_xscale("log")
        ax.invert_yaxis()
        ax.set_title(label, fontsize=10)
        for i, v in enumerate(vals):
            if v:
                ax.text(max(v, highs[i]) * 1.05, i, fmt(v), va="center", fontsize=8)
        ax.set_xlim(right=max(highs + vals) * 3)
        ax.grid(axis="x", which="both", alpha=0.3)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def scale_header(info: dict, cmdline: str, title: str = "scale curve") -> str:
    """The header of a results file that holds only the scale curve (`--scale only`) or only the
    hedge table (`--hedge only`)."""
    m = info["machine"]
    return "\n".join([f"# routerkit {title} — {info['date']}", "", f"Reproduce: `{cmdline}`.", "",
                      f"- {m['cpu']} × {m['nproc']}; mock on core {info['mock_core']}, client on core {info['client_core']}",
                      *artifact_lines(info.get("artifacts")), f"- load: {info['load']}", ""])


def scale_versions(m: dict) -> str:
    return (f"Peers: openai-python {m['openai-python']}, openai-node {m['openai-node']}, go-openai {m['go-openai']}, "
            f"openai-go {m.get('openai-go', '?')}, async-openai {m.get('async-openai', '?')}.")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int)
    ap.add_argument("--only", help="comma-separated client names (default: all)")
    ap.add_argument("--target-dir", default=os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target")))
    ap.add_argument("--out", help="results folder (default bench/results; bench/out in quick mode)")
    ap.add_argument("--cmdline", default="bench/run")
    ap.add_argument("--artifacts", help="bench/run's manifest of the routerkit artifacts installed (bench/.peers/artifacts.json)")
    ap.add_argument("--render", help="rewrite the .md and .png of a results .json (no measuring)")
    ap.add_argument("--scale", choices=["with", "only", "no"], default="with",
                    help="the scale curve (1 to 10,000 concurrent streams): after the main table (default), alone, or not")
    ap.add_argument("--scale-sizes", help="comma-separated stream counts (default 1,10,100,1000,10000; quick: 1,10,100)")
    ap.add_argument("--scale-runs", type=int, help="runs per point (default 3; quick: 1)")
    ap.add_argument("--hedge", choices=["with", "only", "no"], default="with",
                    help="hedged streams' first-token p50/p99 with and without hedge_after: after the main table "
                         "(default), alone, or not (not with --scale only)")
    ap.add_argument("--hedge-calls", type=int, help=f"calls per client and variant (default {hedge.CALLS}; quick: {hedge.QUICK_CALLS})")
    a = ap.parse_args()
    if a.render:
        src = Path(a.render)
        data = json.loads(src.read_text())
        info, stats = data["info"], data["stats"]
        quick = src.name.startswith("quick-")
        if stats:
            png = src.with_suffix(".png")
            has_chart = chart(stats, png, f"routerkit vs peers — {info['date']}, {info['machine']['cpu']}, mock and client on separate cores")
            md = markdown(stats, measurements(quick), info, evaluate(stats), png.name if has_chart else None,
                          "bench/run --quick" if quick else "bench/run")
        elif data.get("hedge") and not data.get("scale"):  # a `--hedge only` run
            md = scale_header(info, "bench/run --hedge only", "hedged streams")
        else:  # a `--scale only` run
            md = scale_header(info, "bench/run --scale only")
        if data.get("hedge"):
            md += "\n" + "\n".join(hedge.markdown(data["hedge"]))
        if data.get("scale"):
            sp, m = data["scale"], info["machine"]
            spng = src.with_name(src.stem + "-curve.png")
            has_s = scale.chart(sp["curve"], sp["stats"], spng, f"routerkit vs peers by concurrent streams — {info['date']}, {m['cpu']}")
            md += "\n" + "\n".join(scale.markdown(sp["curve"], sp["stats"], scale_versions(m), spng.name if has_s else None,
                                                   tuple(sp["nofile"])))
        src.with_suffix(".md").write_text(md)
        print(f"wrote {src.with_suffix('.md')}")
        return
    target = Path(a.target_dir)
    runs = a.runs or (1 if a.quick else 5)
    meas = measurements(a.quick)
    art = load_artifacts(a.artifacts)
    cl = clients(target, art["node_module"])
    names = [c for c in ORDER if not a.only or c in a.only.split(",")]
    pin = (os.cpu_count() or 1) >= 2 and subprocess.run(["sh", "-c", "command -v taskset"], capture_output=True).returncode == 0
    mock_core, client_core = ("0", "1") if pin else (None, None)
    nofile = scale.raise_nofile()  # before the mock starts: it and every client inherit it
    mock = Mock(target / "release" / "routerkit-mock", mock_core)
    timeout = 600
    curve = None
    raw: dict = {c: {m["key"]: [] for m in meas} for c in names}
    failures: list[str] = []
    load0 = Path("/proc/loadavg").read_text().split()[:3]
    t_start = time.perf_counter()
    if a.scale == "only" or a.hedge == "only":
        meas = []
    run_scale = a.scale != "no" and a.hedge != "only"
    run_hedge = ((a.hedge == "only" or (a.hedge == "with" and a.scale != "only"))
                 and any(c in hedge.CLIENTS for c in names))  # only routerkit's clients hedge
    hedged = None
    try:
        if not a.quick and meas:
            print(f"warm-up pass ({len(names)} clients)", flush=True)
            for m in meas:
                for c in names:
                    if not applies(m, c):
                        continue
                    try:
                        run_one(cl[c], m["mode"], warm_args(m), mock.url, mock, client_core, timeout)
                    except (RuntimeError, subprocess.TimeoutExpired, ValueError, IndexError) as e:
                        print(f"warm-up {m['key']} {c} FAILED: {str(e).strip()[-400:]}", flush=True)
        for r in range(runs):
            for m in meas:
                reps = 2 if m["key"] == "startup" and not a.quick else 1  # start-up is short and noisy: twice the runs
                for c in names:
                    if not applies(m, c):
                        continue
                    for _ in range(reps):
                        try:
                            res = run_one(cl[c], m["mode"], m["args"], mock.url, mock, client_core, timeout)
                        except (RuntimeError, subprocess.TimeoutExpired, ValueError, IndexError) as e:
                            # One failing client must not cost the whole run: it shows as "—".
                            failures.append(f"{c} {m['key']}: {str(e).strip()[-400:]}")
                            print(f"run {r + 1}/{runs} {m['key']:<13} {c:<23} FAILED: {str(e).strip()[-400:]}", flush=True)
                            continue
                        raw[c][m["key"]].append(res)
                        d = derive(m["key"], res)
                        short = ", ".join(f"{k} {fmt(v)}" for k, v in d.items())
                        print(f"run {r + 1}/{runs} {m['key']:<13} {c:<23} {short}", flush=True)
        if run_hedge:
            hedged = hedge.run(names, cl, run_one, mock, client_core, a.quick, a.hedge_calls,
                               log=lambda t: print(t, flush=True))
        if run_scale:
            sizes = [int(x) for x in a.scale_sizes.split(",")] if a.scale_sizes else None
            curve = scale.run_curve(names, cl, run_one, mock, client_core, a.scale_runs or (1 if a.quick else 3),
                                    a.quick, sizes, log=lambda t: print(t, flush=True))
    finally:
        mock.close()
    elapsed = time.perf_counter() - t_start
    load1 = Path("/proc/loadavg").read_text().split()[:3]

    stats: dict = {}
    busy = []
    mock_shares = []
    for c, per in raw.items():
        for key, results in per.items():
            if not results:
                continue
            derived = [derive(key, r) for r in results]
            stats.setdefault(c, {})[key] = {k: summarize([d[k] for d in derived]) for k in derived[0]}
            busy += [r["busy_cores"] - (r.get("cpu_s", 0) + r["mock_cpu_s"]) / r["proc_wall_s"] for r in results if key != "startup"]
            mock_shares += [(c, key, d["mock_share"]) for d in derived if "mock_share" in d]
    if hedged is not None:
        busy += [r["busy_cores"] - (r["cpu_s"] + r["mock_cpu_s"]) / r["proc_wall_s"]
                 for per in hedged["raw"].values() for r in per.values()]
    targets = evaluate(stats)
    today = dt.date.today().isoformat()
    out = Path(a.out) if a.out else ROOT / "bench" / ("out" if a.quick else "results")
    out.mkdir(parents=True, exist_ok=True)
    stem = ("quick-" if a.quick else "") + today
    other = statistics.median(busy) if busy else 0.0
    top_mock = max(mock_shares, key=lambda x: x[2]) if mock_shares else None
    info = {
        "date": today, "runs": runs, "artifacts": art, "mock_core": mock_core, "client_core": client_core, "machine": machine(),
        "load": f"load average {' '.join(load0)} at the start, {' '.join(load1)} at the end; other processes used a median "
                f"{other:.2f} cores during the measurements (from /proc/stat, minus the client and the mock); "
                f"the whole run took {elapsed / 60:.1f} min",
        "mock": (f"The mock's CPU during a stream, as a share of that stream's wall time, peaked at {top_mock[2]:.0%} "
                 f"({top_mock[0]}, {top_mock[1]}); above ~90% the mock, not the client, would bound chunks/s. "
                 f"Streams use the mock's `repeat` step (each event pre-rendered; writes coalesce when the client lags)."
                 if top_mock else None),
    }
    info["failures"] = failures
    scale_part, scale_lines = None, []
    if curve is not None:
        sst = scale.stats(curve)
        m = info["machine"]
        spng = out / f"{stem}{'' if meas else '-scale'}-curve.png"
        has_s = scale.chart(curve, sst, spng, f"routerkit vs peers by concurrent streams — {today}, {m['cpu']}")
        scale_lines = scale.markdown(curve, sst, scale_versions(m), spng.name if has_s else None, nofile)
        scale_part = {"curve": curve, "stats": sst, "nofile": list(nofile),
                      "limits": {c: scale.limit(c, curve, sst) for c in curve["raw"]}}
    if meas:
        png = out / f"{stem}.png"
        has_chart = chart(stats, png, f"routerkit vs peers — {today}, {info['machine']['cpu']}, mock and client on separate cores")
        md = markdown(stats, meas, info, targets, png.name if has_chart else None, a.cmdline)
    elif curve is None and hedged is not None:
        stem += "-hedge"
        md = scale_header(info, a.cmdline, "hedged streams")
    else:
        stem += "-scale"
        md = scale_header(info, a.cmdline)
    if hedged is not None:
        md += "\n" + "\n".join(hedge.markdown(hedged))
    md += "\n" + "\n".join(scale_lines)
    (out / f"{stem}.md").write_text(md)
    (out / f"{stem}.json").write_text(json.dumps({"info": info, "stats": stats, "raw": raw, "targets": targets,
                                                  "ratios": ratios(stats),
                                                  "scale": scale_part, "hedge": hedged}, indent=1))

    print()
    print(f"wrote {out / (stem + '.md')}")
    print(f"load: {info['load']}")
    print("\n".join(artifact_lines(art)).replace("`", ""))
    print()
    print("ratios against each language's peer (same run):")
    for client, peer in [(c, p) for c in ORDER if c in PEER_OF for p in [PEER_OF[c]] + MORE_PEERS.get(c, [])
                         if c in stats and p in stats]:
        parts = []
        for key, metric, label, _ in COLUMNS:
            x, y = stats[client].get(key, {}).get(metric), stats[peer].get(key, {}).get(metric)
            if x and y and y["median"]:
                parts.append(f"{column_label(label, {})} {ratio_text(x['median'] / y['median'])}")
        print(f"  {client} / {peer}: " + "; ".join(parts))
    print()
    print("targets:" + (" (quick mode: numbers not judged)" if a.quick else "") + ("" if meas else " none measured (--scale only or --hedge only)"))
    for t in targets if meas else []:
        mark = "-" if t["met"] is None else ("MET" if t["met"] else "NOT MET")
        print(f"  [{mark:>7}] {t['target']}: {t['shown']}")
    rk_failed = []
    if hedged is not None:
        print(f"\nhedged streams: first-token p99 with hedge_after {hedged['hedge_after_ms']} ms ÷ without")
        for c, per in hedged["stats"].items():
            r = hedge.cut(per)
            print(f"  {c:<23} " + (f"{r:.2f}×" if r is not None else "not measured") +
                  "".join(f"; {v}: p50 {d['first_p50_ms']:.1f} ms, p99 {d['first_p99_ms']:.1f} ms, hedges fired "
                          f"{d['hedges_fired']}, won {d['hedges_won']}" for v, d in per.items()))
        rk_failed += [f"{c} (hedge)" for c in hedged["errors"]]
    if scale_part:
        print("\nscale curve: what limits each client at its largest size")
        for c, why in scale_part["limits"].items():
            print(f"  {c:<23} {why}")
        rk_failed += [c for c in curve["stopped"] if c.startswith("routerkit-")]
    if failures or rk_failed:
        print(f"\n{len(failures)} failed run(s), routerkit failing in the scale curve or the hedge table: {rk_failed or 'none'}; see the results file")
        sys.exit(1)


if __name__ == "__main__":
    main()
