"""Prints the soak's figures as a markdown table from out/<lang>.json.  usage: summary.py OUT_DIR LANG..."""

import json
import sys
from pathlib import Path

out, langs = Path(sys.argv[1]), sys.argv[2:]
rows = []
for lang in langs:
    try:
        r = json.loads((out / f"{lang}.json").read_text())
    except (OSError, ValueError):
        rows.append(f"| {lang} | no result | | | | | | | |")
        continue
    if "sequential" not in r:
        rows.append(f"| {lang} | FAILED: {'; '.join(r.get('first_failures') or [])} | | | | | | | |")
        continue
    seq, conc, rss, sock = r["sequential"], r["concurrent"], r["rss_kb"], r["sockets"]
    fmt = lambda d: ", ".join(f"{k} {v}" for k, v in sorted(d.items(), key=lambda kv: -kv[1]))  # noqa: E731
    faults = sum(v for k, v in seq["faults"].items() if k != "ok") + sum(v for k, v in conc["faults"].items() if k != "ok")
    rows.append(
        f"| {lang} | {conc['calls']} ({conc['width']} at a time, {conc['secs']:.1f} s) + {seq['calls']} ({seq['secs']:.1f} s) "
        f"| {faults} | {fmt(conc['outcomes'])} / {fmt(seq['outcomes'])} "
        f"| {r['hangs']} | {r['partial_as_success']} "
        f"| {rss['after_first_calls'] / 1024:.1f} → {rss['end'] / 1024:.1f} MiB ({rss['growth_pct']:+.1f} %) "
        f"| {sock['after_concurrent']} (mock {sock['mock_after_concurrent']}) → {sock['after_sequential']} (mock {sock['mock_after_sequential']}) "
        f"| {'pass' if r['failures'] == 0 else 'FAIL: ' + '; '.join(r['first_failures'][:3])} |"
    )
print("| language | calls: concurrent + sequential | faults injected | outcomes: concurrent / sequential | hangs | partial as success | RSS after first calls → end | client sockets after concurrent → after sequential | result |")
print("|---|---|---|---|---|---|---|---|---|")
print("\n".join(rows))
print()
print("Faults per kind (sequential phase, per language):", end=" ")
for lang in langs:
    try:
        r = json.loads((out / f"{lang}.json").read_text())
        print(f"\n- {lang}: " + ", ".join(f"{k} {v}" for k, v in sorted(r["sequential"]["faults"].items())), end="")
        print(f"; concurrent phase: " + ", ".join(f"{k} {v}" for k, v in sorted(r["concurrent"]["faults"].items())), end="")
    except (OSError, ValueError, KeyError):
        pass
print()
