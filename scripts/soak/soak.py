"""routerkit soak, Python driver (scripts/soak/run.sh runs it; see plan.json).

Concurrent phase (AsyncClient, SOAK_CONCURRENCY calls in flight), then sequential
phase (Client). Every call must end with its full expected content or a typed
error (the expected one, in the sequential phase): never a hang (a watchdog ends
the process), never partial content reported as success. RSS after the run within
10% of RSS after the first calls; client sockets back within the pool, and the
same count as the mock's gauge. Prints one line: SOAK-RESULT {json}.
usage: python soak.py MOCK_URL
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

import routerkit

HERE = Path(__file__).resolve().parent
PLAN = json.loads((HERE / "plan.json").read_text())
MOCK = sys.argv[1].rstrip("/")
PORT = int(MOCK.rsplit(":", 1)[1])
N_SEQ = int(os.environ.get("SOAK_SEQ", "10000"))
N_CONC = int(os.environ.get("SOAK_CONC", "1000"))
WIDTH = int(os.environ.get("SOAK_CONCURRENCY", "100"))
SID = f"soak-python-{os.getpid()}"
WATCHDOG = float(PLAN["call_watchdog_s"])
SEQ_POOL_SLACK = 4

inflight: Dict[int, float] = {}
failures: List[str] = []


def watchdog() -> None:
    while True:
        time.sleep(1)
        now = time.monotonic()
        for call, t0 in list(inflight.items()):
            if now - t0 > WATCHDOG:
                print(f"SOAK-RESULT {json.dumps({'lang': 'python', 'hangs': 1, 'failures': 1, 'first_failures': [f'call {call}: no end after {WATCHDOG} s']})}", flush=True)
                os._exit(3)


def control(method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{MOCK}/__mock/{path}", data=data, method=method)
    with urllib.request.urlopen(req, timeout=30) as r:  # a fresh connection, closed after
        text = r.read()
    return json.loads(text) if text else None


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def sockets_to(port: int) -> int:
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            t = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if t.startswith("socket:["):
            inodes.add(t[8:-1])
    n = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[2].rsplit(":", 1)[1], 16) == port and f[3] != "06" and f[9] in inodes:
                n += 1
    return n


def settle(bound: int) -> int:
    for _ in range(100):
        if sockets_to(PORT) <= bound:
            break
        time.sleep(0.02)
    time.sleep(0.1)
    return sockets_to(PORT)


def mock_open() -> int:
    return int(control("GET", "stats")["open_connections"]) - 1


def text_for(phase: str, i: int) -> str:
    return f"soak {phase}{i}" + " lorem" * (i % 8)


def expected(text: str) -> str:
    return f"Hello from routerkit-mock! You said: {text}"


def classify(e: BaseException) -> str:
    if isinstance(e, routerkit.APIStatusError):
        return f"status:{e.status_code}"
    if isinstance(e, routerkit.APITimeoutError):
        return "timeout"
    if isinstance(e, routerkit.APIConnectionError):
        return "connection"
    if isinstance(e, routerkit.APIStreamError):
        return "stream"
    if isinstance(e, routerkit.APIResponseValidationError):
        return "decode"
    return f"untyped:{type(e).__name__}:{e}"


def one_call(client: Any, text: str, timeout: Optional[float], cancel_after: Optional[int]) -> Dict[str, Any]:
    content, finish, chunks, attempts = [], None, 0, 0
    kw = {} if timeout is None else {"timeout": timeout}
    try:
        stream = client.chat.completions.create(model="soak/model", messages=[{"role": "user", "content": text}], stream=True, **kw)
        attempts = stream._attempts
        for chunk in stream:
            chunks += 1
            for c in chunk.choices:
                if c.delta.content:
                    content.append(c.delta.content)
                if c.finish_reason:
                    finish = c.finish_reason
            if chunks == cancel_after:
                stream.close()
                return {"outcome": "cancelled", "attempts": stream._attempts}
        return {"outcome": "ok", "content": "".join(content), "finish": finish, "attempts": stream._attempts}
    except routerkit.OpenAIError as e:
        return {"outcome": classify(e), "attempts": getattr(e, "attempts", attempts)}
    except Exception as e:  # noqa: BLE001 - an untyped error is a finding
        return {"outcome": classify(e), "attempts": attempts}


async def one_call_async(client: Any, text: str, timeout: Optional[float], cancel_after: Optional[int]) -> Dict[str, Any]:
    content, finish, chunks = [], None, 0
    try:
        stream = await client.chat.completions.create(model="soak/model", messages=[{"role": "user", "content": text}], stream=True, timeout=timeout)
        async for chunk in stream:
            chunks += 1
            for c in chunk.choices:
                if c.delta.content:
                    content.append(c.delta.content)
                if c.finish_reason:
                    finish = c.finish_reason
            if chunks == cancel_after:
                await stream.close()
                return {"outcome": "cancelled"}
        return {"outcome": "ok", "content": "".join(content), "finish": finish}
    except routerkit.OpenAIError as e:
        return {"outcome": classify(e)}
    except Exception as e:  # noqa: BLE001
        return {"outcome": classify(e)}


def main() -> None:
    threading.Thread(target=watchdog, daemon=True).start()
    kinds = PLAN["kinds"]
    common = dict(api_key="sk-soak-0123456789", base_url=f"{MOCK}/v1", default_headers={"x-mock-session": SID},
                  max_retries=PLAN["max_retries"], initial_retry_delay=0.001, max_retry_delay=0.005)
    started = time.monotonic()
    hangs = partial = 0

    # Concurrent phase: the run's first calls.
    conc_kinds = [PLAN["concurrent_sequence"][j % len(PLAN["concurrent_sequence"])] for j in range(N_CONC)]
    control("POST", f"sessions/{SID}/script", [s for k in conc_kinds for s in kinds[k]["steps"]])
    aclient = routerkit.AsyncClient(**common)
    conc_timeout = PLAN["concurrent_timeout_ms"] / 1000

    async def conc() -> List[Dict[str, Any]]:
        sem = asyncio.Semaphore(WIDTH)

        async def run(j: int) -> Dict[str, Any]:
            async with sem:
                inflight[1_000_000 + j] = time.monotonic()
                try:
                    return await one_call_async(aclient, text_for("c", j), conc_timeout, kinds[conc_kinds[j]].get("cancel_after"))
                finally:
                    inflight.pop(1_000_000 + j, None)

        return await asyncio.gather(*(run(j) for j in range(N_CONC)))

    t0 = time.monotonic()
    results = asyncio.run(conc())
    conc_secs = time.monotonic() - t0
    conc_outcomes: Counter = Counter()
    for j, out in enumerate(results):
        conc_outcomes[out["outcome"]] += 1
        if out["outcome"] == "ok" and (out["content"] != expected(text_for("c", j)) or out["finish"] != "stop"):
            partial += 1
            failures.append(f"conc {j}: success with content {out['content']!r}")
        elif out["outcome"] not in PLAN["concurrent_allowed"]:
            failures.append(f"conc {j}: outcome {out['outcome']}")
    sockets_after_conc = settle(WIDTH)
    mock_after_conc = mock_open()
    if sockets_after_conc > WIDTH:
        failures.append(f"{sockets_after_conc} sockets open after the concurrent phase (pool bound {WIDTH})")
    if mock_after_conc != sockets_after_conc:
        failures.append(f"after the concurrent phase the mock sees {mock_after_conc} open connections, the client {sockets_after_conc}")
    rss_first = rss_kb()

    # Sequential phase: each call's steps are consumed in order, so its outcome is known.
    client = routerkit.Client(**common)
    faults: Counter = Counter()
    outcomes: Counter = Counter()
    t0 = time.monotonic()
    block = 500
    for b in range(0, N_SEQ, block):
        ids = range(b, min(b + block, N_SEQ))
        control("POST", f"sessions/{SID}/script", [s for i in ids for s in kinds[PLAN["sequence"][i % len(PLAN["sequence"])]]["steps"]])
        for i in ids:
            name = PLAN["sequence"][i % len(PLAN["sequence"])]
            kind = kinds[name]
            faults[name] += 1
            text = text_for("s", i)
            inflight[i] = time.monotonic()
            t = kind.get("timeout_ms")
            out = one_call(client, text, t / 1000 if t else None, kind.get("cancel_after"))
            inflight.pop(i, None)
            outcomes[out["outcome"]] += 1
            if out["outcome"] == "ok" and (out["content"] != expected(text) or out["finish"] != "stop"):
                partial += 1
                failures.append(f"seq {i} ({name}): success with content {out['content']!r} finish {out['finish']}")
            elif out["outcome"] != kind["expect"] or out["attempts"] != kind["attempts"]:
                failures.append(f"seq {i} ({name}): {out['outcome']} after {out['attempts']} attempts, expected {kind['expect']} after {kind['attempts']}")
    seq_secs = time.monotonic() - t0
    # The sync client's pool: at most SEQ_POOL_SLACK (a connection goes back to the pool
    # asynchronously, so the next call may open another).
    sockets_after_seq = settle(sockets_after_conc + SEQ_POOL_SLACK)
    mock_after_seq = mock_open()
    if sockets_after_seq > sockets_after_conc + SEQ_POOL_SLACK:
        failures.append(f"{sockets_after_seq} sockets open after the sequential phase, {sockets_after_conc} before it (+{SEQ_POOL_SLACK} for the sync client)")
    if mock_after_seq != sockets_after_seq:
        failures.append(f"after the sequential phase the mock sees {mock_after_seq} open connections, the client {sockets_after_seq}")
    left = control("GET", f"sessions/{SID}/script")["remaining"]
    control("DELETE", f"sessions/{SID}")
    rss_end = rss_kb()
    growth = (rss_end - rss_first) / rss_first * 100
    if growth > 10:
        failures.append(f"RSS grew {growth:.1f}% from {rss_first} kB after the first {N_CONC} calls to {rss_end} kB")
    result = {
        "lang": "python",
        "concurrent": {"calls": N_CONC, "width": WIDTH, "faults": Counter(conc_kinds), "outcomes": conc_outcomes, "secs": conc_secs, "script_steps_left": left},
        "sequential": {"calls": N_SEQ, "faults": faults, "outcomes": outcomes, "secs": seq_secs},
        "rss_kb": {"after_first_calls": rss_first, "end": rss_end, "growth_pct": round(growth, 1)},
        "sockets": {"after_concurrent": sockets_after_conc, "mock_after_concurrent": mock_after_conc,
                    "after_sequential": sockets_after_seq, "mock_after_sequential": mock_after_seq, "pool_bound": WIDTH, "sequential_slack": SEQ_POOL_SLACK},
        "hangs": hangs, "partial_as_success": partial, "failures": len(failures), "first_failures": failures[:10],
        "secs": time.monotonic() - started,
    }
    print("SOAK-RESULT " + json.dumps(result), flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
