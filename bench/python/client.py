"""One benchmark client process, routerkit-python or openai-python (see bench/README.md):

    python client.py --client routerkit|openai [--async [--uvloop]]
                     --mode stream|seq|concurrent|startup|responses-stream|responses-concurrent
                     --url http://127.0.0.1:PORT [--n N] [--repeat R] [--streams S]
    python client.py --client routerkit --mode hedge --url URL --n N --step JSON --session SID [--hedge-after-ms H]

The `responses-*` modes are `stream` and `concurrent` over the Responses API
(`responses.create(stream=True)`): N `response.output_text.delta` events per stream, every
typed event read and counted (`events`), the deltas checked (`deltas`).

`--uvloop` runs the asyncio code on uvloop's event loop instead of asyncio's own.

Prints one JSON line. CPU is the whole process (getrusage: every thread, the native
runtime's included); rss_kb is the process's peak (VmHWM).
"""

import sys
import time

if "startup" in sys.argv:  # before any other import: the cost of `import <client>` and one client object
    _t0 = time.perf_counter()
    _mod = __import__(sys.argv[sys.argv.index("--client") + 1])
    _mod.OpenAI(api_key="sk-bench", base_url="http://127.0.0.1:9/v1")
    _ms = (time.perf_counter() - _t0) * 1e3

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import urllib.request  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def pct(xs: list, p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else 0.0


def script(url: str, count: int, n: int) -> None:
    """The mock's next `count` requests stream `n` deltas taking PIECES in turn (chat chunks, or
    `response.output_text.delta` events between a Responses stream's framing events)."""
    steps = [{"stream": {"pieces": PIECES, "repeat": n, "usage": None}}] * count
    req = urllib.request.Request(f"{url}/__mock/sessions/default/script", data=json.dumps(steps).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()


MSGS = [{"role": "user", "content": "bench"}]
DELTA = "response.output_text.delta"


def responses_stream(c, a: argparse.Namespace, out: dict) -> None:
    """`responses-stream`, sync: R Responses streams of N deltas, one after the other."""

    def stream() -> tuple:
        events = deltas = 0
        for ev in c.responses.create(model="m", input="bench", stream=True):
            events += 1
            if ev.type == DELTA and ev.delta:
                deltas += 1
        return events, deltas

    assert c.responses.create(model="m", input="bench").output_text  # warm: connection, lazy imports
    script(a.url, a.repeat, a.n)
    c0, t0 = cpu(), time.perf_counter()
    counts = [stream() for _ in range(a.repeat)]
    out.update(wall_s=time.perf_counter() - t0, cpu_s=cpu() - c0, events=sum(e for e, _ in counts),
               deltas=sum(d for _, d in counts))
    assert out["deltas"] == a.n * a.repeat, out["deltas"]


async def responses_async(c, a: argparse.Namespace, out: dict) -> None:
    """`responses-stream` (R streams in turn) and `responses-concurrent` (S at once), asyncio."""
    import asyncio

    async def stream(start: float, firsts: list) -> tuple:
        events = deltas = 0
        async for ev in await c.responses.create(model="m", input="bench", stream=True):
            events += 1
            if ev.type == DELTA and ev.delta:
                if deltas == 0:
                    firsts.append((time.perf_counter() - start) * 1e3)
                deltas += 1
        return events, deltas

    assert (await c.responses.create(model="m", input="bench")).output_text
    count = a.repeat if a.mode == "responses-stream" else a.streams
    script(a.url, count, a.n)
    firsts: list = []
    c0, t0 = cpu(), time.perf_counter()
    if a.mode == "responses-stream":
        counts = [await stream(time.perf_counter(), []) for _ in range(count)]
    else:
        counts = await asyncio.gather(*(stream(t0, firsts) for _ in range(count)))
    out.update(wall_s=time.perf_counter() - t0, cpu_s=cpu() - c0, events=sum(e for e, _ in counts),
               deltas=sum(d for _, d in counts))
    if a.mode == "responses-concurrent":
        out.update(first_p50_ms=pct(firsts, 0.5), first_p99_ms=pct(firsts, 0.99))
    assert out["deltas"] == a.n * count, out["deltas"]
# Streamed deltas take these in turn: consecutive chunks differ, as a model's tokens do.
PIECES = ["The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", "."]


# The hedge benchmark's two-model chain (bench/lib/hedge.py): the mock's step makes SLOW_MODEL slow
# on a fraction of calls; FAST_MODEL, the chain's next model, never is.
SLOW_MODEL, FAST_MODEL = "bench/slow", "bench/fast"


def hedge(mod, a) -> dict:
    """N sequential streamed calls on the chain [SLOW_MODEL, FAST_MODEL], hedged after
    --hedge-after-ms (0: not hedged); the mock's step comes in the x-mock-step header of every request,
    in a session of its own (its counter picks the slow calls, the same ones in every run)."""
    kw = dict(api_key="sk-bench-0123456789", base_url=a.url + "/v1", max_retries=0, fallback_models=[FAST_MODEL],
              default_headers={"x-mock-step": a.step, "x-mock-session": a.session})
    if a.hedge_after_ms:
        kw["hedge_after"] = a.hedge_after_ms / 1000
    c = mod.OpenAI(**kw)

    def call() -> tuple:
        t0 = time.perf_counter()
        first = None
        with c.chat.completions.create(model=SLOW_MODEL, messages=MSGS, stream=True) as s:
            for chunk in s:
                if first is None and chunk.choices and chunk.choices[0].delta.content:
                    first = (time.perf_counter() - t0) * 1e3
            h = s.receipt.hedge
        assert first is not None, "no content"
        return first, h.fired, h.hedge_won

    call()  # warm: connection, lazy imports (the mock counts it: the same in every run)
    firsts, fired, won = [], 0, 0
    c0, t0 = cpu(), time.perf_counter()
    for _ in range(a.n):
        f, hf, hw = call()
        firsts.append(f)
        fired += hf
        won += hw
    return {"calls": a.n, "wall_s": time.perf_counter() - t0, "cpu_s": cpu() - c0, "firsts_ms": firsts, "hedges_fired": fired, "hedges_won": won}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", choices=["routerkit", "openai"], required=True)
    ap.add_argument("--async", dest="use_async", action="store_true")
    ap.add_argument("--uvloop", action="store_true")
    ap.add_argument("--mode", choices=["stream", "seq", "concurrent", "startup", "hedge", "responses-stream",
                                       "responses-concurrent"], required=True)
    ap.add_argument("--url", default="")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--streams", type=int, default=200)
    ap.add_argument("--hedge-after-ms", type=float, default=0)
    ap.add_argument("--step", default="{}")
    ap.add_argument("--session", default="hedge")
    a = ap.parse_args()
    name = f"{a.client}-python" + ("-uvloop" if a.uvloop else "-async" if a.use_async else "")
    if a.mode == "startup":
        print(json.dumps({"client": name, "mode": "startup", "import_ms": _ms, "rss_kb": rss_kb()}))
        return
    mod = __import__(a.client)
    kw = dict(api_key="sk-bench-0123456789", base_url=a.url + "/v1", max_retries=0)
    out = {"client": name, "mode": a.mode}
    if a.mode == "hedge":
        out.update(hedge(mod, a))
    elif not a.use_async:
        if a.mode in ("concurrent", "responses-concurrent"):
            raise SystemExit(f"{a.mode} needs --async")
        c = mod.OpenAI(**kw)
        if a.mode == "responses-stream":
            responses_stream(c, a, out)
            out["rss_kb"] = rss_kb()
            print(json.dumps(out))
            return

        def stream() -> int:
            n = 0
            for chunk in c.chat.completions.create(model="m", messages=MSGS, stream=True):
                if chunk.choices and chunk.choices[0].delta.content:
                    n += 1
            return n

        def chat() -> None:
            r = c.chat.completions.create(model="m", messages=MSGS)
            assert r.choices[0].message.content

        chat()  # warm: connection, lazy imports
        if a.mode == "stream":
            script(a.url, a.repeat, a.n)
            c0, t0 = cpu(), time.perf_counter()
            chunks = sum(stream() for _ in range(a.repeat))
            out.update(wall_s=time.perf_counter() - t0, cpu_s=cpu() - c0, chunks=chunks)
            assert chunks == a.n * a.repeat, chunks
        else:
            lat = []
            c0, t0 = cpu(), time.perf_counter()
            for _ in range(a.n):
                s = time.perf_counter()
                chat()
                lat.append((time.perf_counter() - s) * 1e3)
            out.update(wall_s=time.perf_counter() - t0, cpu_s=cpu() - c0, requests=a.n, p50_ms=pct(lat, 0.5), p99_ms=pct(lat, 0.99))
    else:
        import asyncio

        async def run() -> None:
            c = mod.AsyncOpenAI(**kw)

            async def stream(start: float, firsts: list) -> int:
                n = 0
                s = await c.chat.completions.create(model="m", messages=MSGS, stream=True)
                async for chunk in s:
                    if chunk.choices and chunk.choices[0].delta.content:
                        if n == 0:
                            firsts.append((time.perf_counter() - start) * 1e3)
                        n += 1
                return n

            async def chat() -> None:
                r = await c.chat.completions.create(model="m", messages=MSGS)
                assert r.choices[0].message.content

            if a.mode.startswith("responses-"):
                await responses_async(c, a, out)
                return
            await chat()
            if a.mode == "stream":
                script(a.url, a.repeat, a.n)
                c0, t0 = cpu(), time.perf_counter()
                chunks = 0
                for _ in range(a.repeat):
                    chunks += await stream(time.perf_counter(), [])
                out.update(wall_s=time.perf_counter() - t0, cpu_s=cpu() - c0, chunks=chunks)
                assert chunks == a.n * a.repeat, chunks
            elif a.mode == "seq":
                lat = []
                c0, t0 = cpu(), time.perf_counter()
                for _ in range(a.n):
                    s = time.perf_counter()
                    await chat()
                    lat.append((time.perf_counter() - s) * 1e3)
                out.update(wall_s=time.perf_counter() - t0, cpu_s=cpu() - c0, requests=a.n, p50_ms=pct(lat, 0.5), p99_ms=pct(lat, 0.99))
            else:
                script(a.url, a.streams, a.n)
                firsts: list = []
                c0, t0 = cpu(), time.perf_counter()
                counts = await asyncio.gather(*(stream(t0, firsts) for _ in range(a.streams)))
                out.update(wall_s=time.perf_counter() - t0, cpu_s=cpu() - c0, chunks=sum(counts),
                           first_p50_ms=pct(firsts, 0.5), first_p99_ms=pct(firsts, 0.99))
                assert sum(counts) == a.n * a.streams, sum(counts)

        if a.uvloop:
            import uvloop

            uvloop.run(run())
        else:
            asyncio.run(run())
    out["rss_kb"] = rss_kb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
