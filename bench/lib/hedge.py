"""Hedged streams (issue 19): first-token p50/p99 with and without `hedge_after`, on a mock whose
first model is slow to its first token on a fraction of calls.

Each routerkit client's `--mode hedge` (bench/python/client.py, bench/node/client.js,
bench/go/client/main.go, bench/rust/src/main.rs) makes N sequential streamed calls on the chain
`bench/slow` → `fallback_models=["bench/fast"]`. Every request carries the mock step `STEP` in its
`x-mock-step` header: `slow_first` holds `bench/slow`'s first token back `SLOW_MS` on `FRACTION` of
its calls, picked by a counter seeded with `SEED` in a mock session of the run's own, so that both
variants of a client (and every client) get the same slow calls. `bench/fast` is never slow.
Each client runs once without a hedge and once with `hedge_after` = `HEDGE_AFTER_MS`.

driver.py calls `run` (bench/run, `make bench`; `make bench-hedge` runs only this part), then
`markdown` for the results: a section of bench/results/<date>.md (`--hedge only`: <date>-hedge.md).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import urllib.request
from typing import Callable

CLIENTS = ["routerkit-rust", "routerkit-python", "routerkit-node", "routerkit-go"]
SLOW_MODEL = "bench/slow"  # the clients' own constants: the chain is theirs, the step is ours
SLOW_MS = 1000
FRACTION = 0.1
SEED = 19
HEDGE_AFTER_MS = 150
# Calls per variant: 200 put the p99 (the 198th first token) among the ~20 slow calls.
CALLS = 200
QUICK_CALLS = 40
# Content of every stream: a few short deltas (the first token is what is measured).
STEP = {
    "slow_first": {"models": [SLOW_MODEL], "ms": SLOW_MS, "fraction": FRACTION, "seed": SEED},
    "stream": {"pieces": ["The", " quick", " brown", " fox", "."], "repeat": 20, "usage": None},
}
VARIANTS = [("without", 0), ("with", HEDGE_AFTER_MS)]
TIMEOUT_S = 300.0


def pct(xs: list[float], p: float) -> float:
    """The same nearest-rank percentile as the clients' other modes."""
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p))] if s else 0.0


def drop_session(url: str, sid: str) -> None:
    req = urllib.request.Request(f"{url}/__mock/sessions/{sid}", method="DELETE")
    urllib.request.urlopen(req, timeout=30).read()


def derive(r: dict) -> dict:
    f = r["firsts_ms"]
    return {
        "calls": r["calls"],
        "first_p50_ms": pct(f, 0.5),
        "first_p99_ms": pct(f, 0.99),
        "first_max_ms": max(f),
        "first_mean_ms": statistics.fmean(f),
        "slow_calls": sum(1 for x in f if x >= SLOW_MS),
        "wall_s": r["wall_s"],
        "hedges_fired": r["hedges_fired"],
        "hedges_won": r["hedges_won"],
    }


def run(names: list[str], cl: dict, run_one: Callable, mock, client_core: str | None, quick: bool,
        calls: int | None = None, log: Callable[[str], None] = print) -> dict:
    """Every client without and then with the hedge, each in a fresh mock session."""
    n = calls or (QUICK_CALLS if quick else CALLS)
    step = json.dumps(STEP, separators=(",", ":"))
    names = [c for c in CLIENTS if c in names]
    raw: dict = {c: {} for c in names}
    errors: dict = {}
    for c in names:
        for variant, after in VARIANTS:
            sid = f"hedge-{c}-{variant}"
            args = ["--n", str(n), "--step", step, "--session", sid, "--hedge-after-ms", str(after)]
            try:
                res = run_one(cl[c], "hedge", args, mock.url, mock, client_core, TIMEOUT_S)
            except (RuntimeError, subprocess.TimeoutExpired, ValueError, IndexError) as e:
                errors.setdefault(c, {})[variant] = str(e).strip()[-600:]
                log(f"hedge {c:<17} {variant:<7} FAILED: {str(e).strip()[-300:]}")
                continue
            finally:
                drop_session(mock.url, sid)
            raw[c][variant] = res
            d = derive(res)
            log(f"hedge {c:<17} {variant:<7} first token p50 {d['first_p50_ms']:.1f} ms, "
                f"p99 {d['first_p99_ms']:.1f} ms, max {d['first_max_ms']:.1f} ms; {n} calls in {d['wall_s']:.1f} s; "
                f"hedges fired {d['hedges_fired']}, won {d['hedges_won']}")
    return {"calls": n, "slow_ms": SLOW_MS, "fraction": FRACTION, "seed": SEED, "hedge_after_ms": HEDGE_AFTER_MS,
            "step": STEP, "raw": raw, "errors": errors,
            "stats": {c: {v: derive(r) for v, r in per.items()} for c, per in raw.items()}}


def cut(st: dict) -> float | None:
    """p99 with the hedge ÷ p99 without."""
    a, b = st.get("with"), st.get("without")
    return a["first_p99_ms"] / b["first_p99_ms"] if a and b and b["first_p99_ms"] else None


def fmt(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def markdown(h: dict) -> list[str]:
    lines = ["## Hedged streams: first-token p50/p99 with and without `hedge_after` (issue 19)", ""]
    lines += [f"Each routerkit client's `--mode hedge`: {h['calls']} sequential streamed calls "
              f"(after one warm-up call) on the chain `bench/slow` → `fallback_models=[\"bench/fast\"]`; "
              f"the mock holds `bench/slow`'s first "
              f"token back {h['slow_ms']:,} ms on {h['fraction']:.0%} of its calls (`slow_first`, seed {h['seed']}: "
              f"the same calls in every run), `bench/fast` never. Once without a hedge, once with "
              f"`hedge_after` = {h['hedge_after_ms']} ms. First token: from the call to its first content "
              f"chunk, in the client. Hedges fired and won: from each stream's receipt (`hedge.fired`, "
              f"`hedge.hedge_won`).", ""]
    lines += [f"| client | hedge_after | first token p50 ms | p99 ms | max ms | mean ms | calls ≥ {h['slow_ms']:,} ms "
              "| total s | hedges fired | hedges won |", "|---|---|---|---|---|---|---|---|---|---|"]
    for c, per in h["stats"].items():
        for variant, after in VARIANTS:
            d = per.get(variant)
            if d is None:
                lines.append(f"| {c} | {after or '—'} | **failed** | | | | | | | |")
                continue
            lines.append(f"| {c} | {f'{after} ms' if after else '—'} | {fmt(d['first_p50_ms'])} | "
                         f"{fmt(d['first_p99_ms'])} | {fmt(d['first_max_ms'])} | {fmt(d['first_mean_ms'])} | "
                         f"{d['slow_calls']} | {d['wall_s']:.1f} | {d['hedges_fired']} | {d['hedges_won']} |")
        r = cut(per)
        if r is not None:
            p50 = per["with"]["first_p50_ms"] / per["without"]["first_p50_ms"] if per["without"]["first_p50_ms"] else 0
            lines.append(f"| ↳ with ÷ without | | {p50:.2f}× | **{r:.2f}×** | | | | | | |")
    lines.append("")
    lines += [f"Expected shape: p50 the same with and without; p99 near {h['slow_ms']:,} ms without, near "
              f"{h['hedge_after_ms']} ms + a normal first token with; hedges fired = won = the slow calls.", ""]
    if h["errors"]:
        lines += ["### Errors", ""] + [f"- {c} {v}: `{e.splitlines()[-1] if e else e}`"
                                       for c, per in h["errors"].items() for v, e in per.items()] + [""]
    return lines
