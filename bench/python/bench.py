"""Client-side cost of routerkit vs openai-python against the mock gateway.

Run by bench/python/run.sh once per client (each in its own venv):
    python bench.py --client routerkit|openai --url http://127.0.0.1:PORT
Prints one JSON line of measurements. CPU is this process's user+system time
(resource.getrusage, all threads: the native runtime's workers count too).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def script(url: str, sid: str, steps: list) -> None:
    req = urllib.request.Request(f"{url}/__mock/sessions/{sid}/script", data=json.dumps(steps).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()


def import_time(module: str) -> float:
    best = float("inf")
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"],
                             capture_output=True, text=True, check=True)
        best = min(best, float(out.stdout))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", choices=["routerkit", "openai"], required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--streams", type=int, default=200)
    ap.add_argument("--stream-chunks", type=int, default=1000)
    args = ap.parse_args()
    out: dict = {"client": args.client}
    out["import_s"] = import_time(args.client)

    if args.client == "routerkit":
        from routerkit import AsyncOpenAI, OpenAI
    else:
        from openai import AsyncOpenAI, OpenAI  # type: ignore[no-redef]

    sid = uuid.uuid4().hex
    kw = dict(api_key="sk-bench-0123456789", base_url=args.url + "/v1", max_retries=0, default_headers={"x-mock-session": sid})
    client = OpenAI(**kw)
    msgs = [{"role": "user", "content": "bench"}]
    client.chat.completions.create(model="m", messages=msgs)  # warm: connection, runtime, lazy imports

    # 1. CPU per streamed chunk: one stream of N one-character chunks.
    n = args.chunks
    script(args.url, sid, [{"stream": {"content": "x", "repeat": n, "usage": None}}])
    c0, t0 = cpu(), time.perf_counter()
    got = 0
    for chunk in client.chat.completions.create(model="m", messages=msgs, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            got += 1
    c1, t1 = cpu(), time.perf_counter()
    assert got == n, (got, n)
    out["stream_cpu_s"] = c1 - c0
    out["stream_cpu_us_per_chunk"] = (c1 - c0) / n * 1e6
    out["stream_wall_s"] = t1 - t0

    # 2. Sequential non-streaming requests.
    lat = []
    c0, t0 = cpu(), time.perf_counter()
    for _ in range(args.requests):
        s = time.perf_counter()
        r = client.chat.completions.create(model="m", messages=msgs)
        lat.append(time.perf_counter() - s)
        assert r.choices[0].message.content
    t1 = time.perf_counter()
    out["seq_rps"] = args.requests / (t1 - t0)
    out["seq_p50_ms"] = statistics.median(lat) * 1e3
    out["seq_cpu_us_per_request"] = (cpu() - c0) / args.requests * 1e6

    # 3. Concurrent asyncio streams.
    if args.streams:
        k, m = args.streams, args.stream_chunks
        script(args.url, sid, [{"stream": {"content": "y", "repeat": m, "usage": None}}] * k)

        async def run() -> tuple:
            aclient = AsyncOpenAI(**kw)
            firsts: list = []
            counts: list = []

            async def one(start: float) -> None:
                n = 0
                stream = await aclient.chat.completions.create(model="m", messages=msgs, stream=True)
                async for chunk in stream:
                    if chunk.choices and chunk.choices[0].delta.content:
                        if n == 0:
                            firsts.append(time.perf_counter() - start)
                        n += 1
                counts.append(n)

            start = time.perf_counter()
            await asyncio.gather(*(one(start) for _ in range(k)))
            return time.perf_counter() - start, firsts, counts

        wall, firsts, counts = asyncio.run(run())
        assert sum(counts) == k * m, sum(counts)
        firsts.sort()
        out["concurrent_chunks_per_s"] = k * m / wall
        out["concurrent_first_chunk_p99_ms"] = firsts[min(len(firsts) - 1, int(len(firsts) * 0.99))] * 1e3
    print(json.dumps(out))


if __name__ == "__main__":
    main()
