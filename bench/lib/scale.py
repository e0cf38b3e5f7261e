"""The scale curve (issue 21): every client's `concurrent` mode at 1, 10, 100, 1,000 and 10,000
streams in one process against the mock, with chunks/s, first-chunk p50/p99, CPU per chunk, peak
RSS and RSS per stream, and which component limits each curve at its largest size.

driver.py calls `run_curve` (bench/run, `make bench`; `make bench-scale` runs only this part), then
`stats`, `markdown` and `chart` for the results: a section of bench/results/<date>.md and
<date>-curve.png (`--scale only`: <date>-scale.md, -scale-curve.png). Chunks per stream shrink as
the stream count grows, so that every point reads about the same number of chunks (`chunks_for`).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import urllib.request
from pathlib import Path
from typing import Callable

SIZES = [1, 10, 100, 1000, 10_000]
QUICK_SIZES = [1, 10, 100]
# Chunks read per point at most (a 10,000-stream point reads 20 chunks per stream), and per
# stream at most: a point must be long enough to measure and short enough for the slowest peer.
TOTAL_CHUNKS = 200_000
MAX_PER_STREAM = 1000
MIN_PER_STREAM = 20
# A point that has not finished in this long is reported as stalled.
POINT_TIMEOUT_S = 300.0
# Every client whose protocol has a `concurrent` mode (sync Python has none).
CLIENTS = ["raw-rust", "async-openai", "routerkit-rust", "openai-python-async", "routerkit-python-async",
           "routerkit-python-uvloop", "openai-node", "routerkit-node", "go-openai", "openai-go", "routerkit-go"]
ROUTERKIT = [c for c in CLIENTS if c.startswith("routerkit-")]
# The figures, each against the stream count: (key, label, lower is better).
FIGURES = [
    ("chunks_per_s", "chunks/s", False),
    ("first_p50_ms", "first chunk p50 (ms)", True),
    ("first_p99_ms", "first chunk p99 (ms)", True),
    ("cpu_us_per_chunk", "client CPU µs per chunk", True),
    ("rss_mb", "peak RSS (MB)", True),
    ("rss_kb_per_stream", "RSS per stream (kB)", True),
]


def chunks_for(streams: int, quick: bool) -> int:
    if quick:
        return max(5, min(100, 5000 // streams))
    return max(MIN_PER_STREAM, min(MAX_PER_STREAM, TOTAL_CHUNKS // streams))


def raise_nofile() -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to the hard limit: the mock and every client inherit it (10,000
    streams hold 10,000 sockets in the client and as many in the mock)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        want = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def reset_mock(url: str) -> None:
    """Drops the mock's default session (its script and its request log) before a point: the curve
    sends some 370,000 requests, and the log of every one would otherwise stay in the mock's memory."""
    req = urllib.request.Request(f"{url}/__mock/sessions/default", method="DELETE")
    urllib.request.urlopen(req, timeout=30).read()


def derive(r: dict) -> dict:
    wall, life = r["wall_s"], r["proc_wall_s"]
    return {
        "chunks_per_s": r["chunks"] / wall,
        "first_p50_ms": r["first_p50_ms"],
        "first_p99_ms": r["first_p99_ms"],
        "cpu_us_per_chunk": r["cpu_s"] / r["chunks"] * 1e6,
        "rss_mb": r["rss_kb"] / 1024,
        "client_cpu_share": r["cpu_s"] / wall,
        # The mock's CPU is read before and after the whole client process (start-up and its
        # warm-up request included), so it is shared over the process's life: over the measured
        # part only, a 2 ms point would show the mock at several cores.
        "mock_share": r["mock_cpu_s"] / life,
        # Other processes on the machine meanwhile, in cores (bench/run shares it with builds).
        "others_cores": max(0.0, r["busy_cores"] - (r["cpu_s"] + r["mock_cpu_s"]) / life),
    }


def run_curve(names: list[str], cl: dict, run_one: Callable, mock, client_core: str | None, runs: int,
              quick: bool, sizes: list[int] | None = None, log: Callable[[str], None] = print) -> dict:
    """Runs every point `runs` times, interleaved by client; a client that fails or stalls at a
    size is not run at larger sizes (its error is kept)."""
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    names = [c for c in CLIENTS if c in names]
    raw: dict = {c: {str(s): [] for s in sizes} for c in names}
    errors: dict = {c: {} for c in names}
    stopped: dict[str, int] = {}
    for s in sizes:
        n = chunks_for(s, quick)
        args = ["--n", str(n), "--streams", str(s)]
        for r in range(runs):
            for c in names:
                if c in stopped:
                    continue
                reset_mock(mock.url)
                try:
                    res = run_one(cl[c], "concurrent", args, mock.url, mock, client_core, POINT_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    errors[c][str(s)] = f"stalled: no result within {POINT_TIMEOUT_S:.0f} s"
                    stopped[c] = s
                    log(f"scale {s:>6} streams × {n:<5} {c:<23} STALLED")
                    continue
                except (RuntimeError, ValueError, IndexError) as e:
                    errors[c][str(s)] = str(e).strip()[-600:]
                    stopped[c] = s
                    log(f"scale {s:>6} streams × {n:<5} {c:<23} FAILED: {str(e).strip()[-300:]}")
                    continue
                res["streams"], res["per_stream"] = s, n
                raw[c][str(s)].append(res)
                d = derive(res)
                log(f"scale {s:>6} streams × {n:<5} {c:<23} run {r + 1}/{runs}: chunks/s {d['chunks_per_s']:,.0f}, "
                    f"first p99 {d['first_p99_ms']:.1f} ms, CPU {d['cpu_us_per_chunk']:.2f} µs/chunk, "
                    f"RSS {d['rss_mb']:.0f} MB, mock {d['mock_share']:.0%}, others {d['others_cores']:.1f} cores")
    return {"sizes": sizes, "raw": raw, "errors": errors, "stopped": stopped,
            "per_stream": {str(s): chunks_for(s, quick) for s in sizes}}


def stats(curve: dict) -> dict:
    """Medians per client and size, plus RSS per stream: (peak RSS at S - peak RSS at 1 stream) / (S - 1),
    the cost of one more stream with the process's own baseline taken out."""
    out: dict = {}
    for c, per in curve["raw"].items():
        for s, results in per.items():
            if not results:
                continue
            ds = [derive(r) for r in results]
            out.setdefault(c, {})[s] = {k: statistics.median(d[k] for d in ds) for k in ds[0]}
        base = out.get(c, {}).get("1", {}).get("rss_mb")
        for s, v in out.get(c, {}).items():
            v["rss_kb_per_stream"] = (v["rss_mb"] - base) * 1024 / (int(s) - 1) if base is not None and int(s) > 1 else None
    return out


def limit(c: str, curve: dict, st: dict) -> str:
    """Which component bounds client `c` at its largest size."""
    if c in curve["stopped"]:
        s = curve["stopped"][c]
        err = curve["errors"][c].get(str(s), "")
        low = err.lower()
        if "too many open files" in low or "emfile" in low:
            why = "file descriptors"
        elif "cannot allocate" in low or "out of memory" in low or "killed" in low or "(-9)" in low:
            why = "memory"
        elif "stalled" in low:
            why = "stalled"
        elif "timed out" in low or "timeout" in low:
            why = "the client's own request timeout"
        else:
            why = "error"
        return f"{why} at {s:,} streams"
    sizes = [s for s in curve["sizes"] if str(s) in st.get(c, {})]
    if not sizes:
        return "not measured"
    top = st[c][str(sizes[-1])]
    if top["mock_share"] >= 0.9:
        return f"mock CPU ({top['mock_share']:.0%} of its core) at {sizes[-1]:,} streams"
    if top["client_cpu_share"] >= 0.8:
        return f"client CPU ({top['client_cpu_share']:.0%} of a core) at {sizes[-1]:,} streams"
    if top["others_cores"] >= 0.5:
        return (f"the shared machine at {sizes[-1]:,} streams: other processes used {top['others_cores']:.1f} cores "
                f"meanwhile (client {top['client_cpu_share']:.0%}, mock {top['mock_share']:.0%} of a core)")
    return (f"neither core saturated at {sizes[-1]:,} streams (client {top['client_cpu_share']:.0%}, "
            f"mock {top['mock_share']:.0%}): the connection set-up and first-chunk waits")


def fmt(v) -> str:
    if v is None:
        return "—"
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def markdown(curve: dict, st: dict, versions: str, chart: str | None, nofile: tuple[int, int]) -> list[str]:
    sizes = curve["sizes"]
    lines = ["## Scale curve: 1 to 10,000 concurrent streams in one process", ""]
    per = ", ".join(f"{s:,} streams × {curve['per_stream'][str(s)]:,}" for s in sizes)
    lines += [f"Each client's `concurrent` mode at each size ({per} chunks), against one mock; "
              f"RLIMIT_NOFILE raised to {nofile[0]:,} (hard {nofile[1]:,}) for the mock and the clients. "
              f"Medians; RSS per stream is (peak RSS at S − at 1 stream) / (S − 1). {versions}", ""]
    for key, label, _ in FIGURES:
        lines += [f"### {label}", "", "| client | " + " | ".join(f"{s:,}" for s in sizes) + " |",
                  "|---|" + "---|" * len(sizes)]
        for c in [c for c in CLIENTS if c in curve["raw"]]:
            cells = []
            for s in sizes:
                v = st.get(c, {}).get(str(s))
                if v is not None:
                    cells.append(fmt(v.get(key)))
                elif str(s) in curve["errors"].get(c, {}):
                    cells.append("**failed**")
                else:
                    cells.append("not run" if c in curve["stopped"] else "—")
            lines.append(f"| {c} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["### What limits each curve at its largest size", "",
              "| client | limit | mock CPU share | client CPU share | other processes (cores) |", "|---|---|---|---|---|"]
    for c in [c for c in CLIENTS if c in curve["raw"]]:
        sz = [s for s in sizes if str(s) in st.get(c, {})]
        top = st[c][str(sz[-1])] if sz else {}
        lines.append(f"| {c} | {limit(c, curve, st)} | {fmt(top.get('mock_share', 0) * 100) + ' %' if top else '—'} | "
                     f"{fmt(top.get('client_cpu_share', 0) * 100) + ' %' if top else '—'} | "
                     f"{fmt(top.get('others_cores', 0)) if top else '—'} |")
    lines.append("")
    errs = [(c, s, e) for c, per in curve["errors"].items() for s, e in per.items()]
    if errs:
        lines += ["### Errors", ""] + [f"- {c} at {int(s):,} streams: `{e.splitlines()[-1] if e else e}`" for c, s, e in errs] + [""]
    done = [c for c in ROUTERKIT if c in st and str(sizes[-1]) in st[c]]
    if sizes[-1] == 10_000:
        lines += [f"10,000 concurrent streams completed without an error in: {', '.join(done) or 'none'}.", ""]
    if chart:
        lines += [f"![scale curve]({chart})", ""]
    return lines


def chart(curve: dict, st: dict, path: Path, title: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(2, 3, figsize=(16, 9))
    for ax, (key, label, lower) in zip(axes.flat, FIGURES):
        for c in [c for c in CLIENTS if c in st]:
            pts = [(int(s), v[key]) for s, v in st[c].items() if v.get(key)]
            if not pts:
                continue
            pts.sort()
            rk = c.startswith("routerkit-")
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", linewidth=2 if rk else 1,
                    linestyle="-" if rk else "--", label=c)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(label + (" (lower is better)" if lower else " (higher is better)"), fontsize=10)
        ax.set_xlabel("concurrent streams in one process")
        ax.grid(which="both", alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=9)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.07, 1, 0.96))
    fig.savefig(path, dpi=100)
    return True
