"""Memory bounds (issue 22): peak RSS of a long stream, of a many-choices body and of gzip bombs.

Each case runs in a fresh interpreter, so that its peak RSS (VmHWM) is its own.
``ROUTERKIT_MEMORY_CHUNKS`` sets the long stream's length (default 200,000; ``make soak``
runs 10,000,000).
"""

import json
import os
import subprocess
import sys
from typing import Any, Dict

from conftest import Mock

CHILD = r"""
import json, sys
import routerkit

def peak():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork and exec (the parent's peak).
    with open("/proc/self/status") as f:
        line = next(l for l in f if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024  # KiB -> MiB

case, kw = sys.argv[1], json.loads(sys.argv[2])
client = routerkit.OpenAI(**kw)
msgs = [{"role": "user", "content": "hi"}]
before = peak()
out = {"before": before}
if case == "stream":
    n = seen = 0
    with client.chat.completions.stream(model="m", messages=msgs) as s:
        for event in s:
            if event.type != "chunk":
                continue
            n += 1
            if event.chunk.choices:
                seen += len(event.chunk.choices[0].delta.content or "")
        final = s.get_final_completion()
    out.update(chunks=n, seen=seen, final=len(final.choices[0].message.content))
elif case == "choices":
    r = client.chat.completions.create(model="m", messages=msgs)
    out.update(choices=len(r.choices), last=len(r.choices[-1].message.content))
else:
    for what in ("chat", "stream"):
        try:
            if what == "chat":
                client.chat.completions.create(model="m", messages=msgs)
            else:
                for _ in client.chat.completions.create(model="m", messages=msgs, stream=True):
                    pass
            out[what] = "no error"
        except routerkit.APIError as e:
            out[what] = str(e)
out["peak"] = peak()
print("MEMORY-RESULT " + json.dumps(out))
"""


def run_child(mock: Mock, case: str, steps: Any, **over: Any) -> Dict[str, Any]:
    mock.script(steps)
    kw = mock.client_kwargs(**over)
    p = subprocess.run(
        [sys.executable, "-c", CHILD, case, json.dumps(kw)], capture_output=True, text=True, timeout=1800
    )
    assert p.returncode == 0, p.stderr
    line = next(x for x in p.stdout.splitlines() if x.startswith("MEMORY-RESULT "))
    out: Dict[str, Any] = json.loads(line.split(" ", 1)[1])
    print(f"MEMORY python {case} {out}")
    return out


def test_long_stream_peak_rss(mock: Mock) -> None:
    n = int(os.environ.get("ROUTERKIT_MEMORY_CHUNKS", "200000"))
    out = run_child(
        mock,
        "stream",
        [{"stream": {"pieces": ["a", "b", "c", "d"], "repeat": n, "usage": None, "events_per_write": 512}}],
    )
    assert (out["chunks"], out["seen"], out["final"]) == (n + 1, n, n)
    # The accumulated text is n bytes: the engine's (a doubling buffer), the helper's joined
    # text and the final completion's.
    bound = 64 + 4 * n / 2**20
    assert out["peak"] < bound, out


def test_many_choices_body_within_a_multiple_of_its_size(mock: Mock) -> None:
    out = run_child(mock, "choices", [{"choices": 1000, "content": "x" * 12_000}])
    assert (out["choices"], out["last"]) == (1000, 12_000)
    size = 12e6 / 2**20
    assert out["peak"] - out["before"] < 6 * size, out


def test_gzip_bombs_fail_naming_their_bound_under_100_mib(mock: Mock) -> None:
    out = run_child(
        mock, "bombs", [{"gzip_bomb_bytes": 10 << 30}, {"stream": {"gzip_bomb_bytes": 10 << 30}}], max_retries=0
    )
    assert "max_body_bytes" in out["chat"], out
    assert "max_event_bytes" in out["stream"], out
    assert out["peak"] < 100, out
