"""Behaviour that only Python has: the GIL, Ctrl-C, fork, asyncio cancellation,
and the key never shown by repr/str."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import pytest
import routerkit
from conftest import KEY, Mock, wait_for

MSG = [{"role": "user", "content": "hello"}]


def test_gil_is_released_while_a_request_waits(mock: Mock, client: Any) -> None:
    mock.script([{"delay_headers_ms": 800}])
    count = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal count
        while not stop.is_set():
            count += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        before = count
        start = time.monotonic()
        r = client.chat.completions.create(model="m", messages=MSG)
        elapsed = time.monotonic() - start
        progressed = count - before
    finally:
        stop.set()
        t.join()
    assert r.choices[0].message.content
    assert elapsed >= 0.7
    # With the GIL held for 0.8 s the other thread could not have counted at all.
    assert progressed > 100_000, progressed


def test_gil_is_released_while_a_stream_waits(mock: Mock, client: Any) -> None:
    mock.script([{"stream": {"content": "a b c d", "delay_ms_between": 300}}])
    ticks = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    t = threading.Thread(target=tick)
    t.start()
    try:
        text = "".join(
            c.choices[0].delta.content or ""
            for c in client.chat.completions.create(model="m", messages=MSG, stream=True)
            if c.choices
        )
    finally:
        stop.set()
        t.join()
    assert text == "a b c d"
    assert len(ticks) > 40


def test_concurrent_threads_share_one_client(mock: Mock, client: Any) -> None:
    out: list = []

    def work(i: int) -> None:
        r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": f"n{i}"}])
        out.append(r.choices[0].message.content)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(out) == sorted(f"Hello from routerkit-mock! You said: n{i}" for i in range(8))


_SIGINT_CHILD = textwrap.dedent(
    """
    import sys, time, routerkit
    url, sid, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    c = routerkit.Client(api_key="sk-test-1234567890", base_url=url, default_headers={"x-mock-session": sid})
    msgs = [{"role": "user", "content": "x"}]
    print("ready", flush=True)
    try:
        if mode == "request":
            c.chat.completions.create(model="m", messages=msgs)
        else:
            for _ in c.chat.completions.create(model="m", messages=msgs, stream=True):
                pass
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(0)
    print("finished", flush=True)
    sys.exit(3)
    """
)


@pytest.mark.parametrize("mode", ["request", "stream"])
def test_sigint_ends_a_stalled_call(mock: Mock, mode: str) -> None:
    if mode == "request":
        mock.script([{"delay_headers_ms": 30000}])
    else:
        mock.script([{"stream": {"content": "a b c", "stall_after": 1, "stall_ms": 30000}}])
    proc = subprocess.Popen(
        [sys.executable, "-c", _SIGINT_CHILD, mock.base_url, mock.sid, mode],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    # Wait until the mock has the request, then interrupt.
    assert wait_for(lambda: len(mock.requests()) == 1)
    time.sleep(0.2)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=10)
    took = time.monotonic() - sent
    assert proc.returncode == 0, out
    assert "interrupted" in out
    assert took < 1.0, took
    # Interrupting closed the connection.
    assert wait_for(lambda: mock.requests()[0]["client_disconnected"])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_client_made_before_fork_works_in_the_child(mock: Mock, client: Any) -> None:
    # Warm the runtime and the connection pool in the parent.
    assert client.chat.completions.create(model="m", messages=MSG).choices[0].message.content
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "child"}])
            s = "".join(
                c.choices[0].delta.content or ""
                for c in client.chat.completions.create(model="m", messages=MSG, stream=True)
                if c.choices
            )
            if r.choices[0].message.content.endswith("child") and s.endswith("hello"):
                code = 0
        except BaseException:
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    # The parent still works.
    assert (
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "parent"}])
        .choices[0]
        .message.content.endswith("parent")
    )


def test_asyncio_cancel_closes_the_connection(mock: Mock, aclient: Any) -> None:
    mock.script([{"delay_headers_ms": 30000}])

    async def main() -> None:
        task = asyncio.ensure_future(aclient.chat.completions.create(model="m", messages=MSG))
        for _ in range(100):
            await asyncio.sleep(0.02)
            if mock.requests():
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert wait_for(lambda: mock.requests()[0]["client_disconnected"])


def test_asyncio_cancel_closes_a_stream(mock: Mock, aclient: Any) -> None:
    mock.script([{"stream": {"content": "a b c", "stall_after": 1, "stall_ms": 30000}}])
    got = []

    async def consume() -> None:
        stream = await aclient.chat.completions.create(model="m", messages=MSG, stream=True)
        async for chunk in stream:
            got.append(chunk)

    async def main() -> None:
        task = asyncio.ensure_future(consume())
        for _ in range(100):
            await asyncio.sleep(0.02)
            if got:
                break
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert got
    assert wait_for(lambda: mock.requests()[0]["client_disconnected"])


def test_asyncio_wait_for_timeout_cancels(mock: Mock, aclient: Any) -> None:
    mock.script([{"delay_headers_ms": 30000}])

    async def main() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(aclient.chat.completions.create(model="m", messages=MSG), 0.3)

    asyncio.run(main())
    assert wait_for(lambda: mock.requests()[0]["client_disconnected"])


def test_many_concurrent_async_calls(mock: Mock, aclient: Any) -> None:
    async def main() -> list:
        return await asyncio.gather(
            *(
                aclient.chat.completions.create(model="m", messages=[{"role": "user", "content": f"n{i}"}])
                for i in range(50)
            )
        )

    rs = asyncio.run(main())
    assert [r.choices[0].message.content for r in rs] == [
        f"Hello from routerkit-mock! You said: n{i}" for i in range(50)
    ]


def test_sync_stream_close_closes_the_connection(mock: Mock, client: Any) -> None:
    mock.script([{"stream": {"content": "a b c d e f", "stall_after": 2, "stall_ms": 30000}}])
    with client.chat.completions.create(model="m", messages=MSG, stream=True) as stream:
        first = next(iter(stream))
        assert first.choices[0].delta is not None
    assert wait_for(lambda: mock.requests()[0]["client_disconnected"])
    # Iterating a closed stream just ends.
    assert list(stream) == []


def test_key_never_in_repr_or_str(mock: Mock) -> None:
    mock.script(
        [
            {
                "status": 401,
                "body": {
                    "error": {
                        "message": f"Incorrect API key provided: {KEY}",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
            }
        ]
    )
    c = routerkit.Client(**mock.client_kwargs())
    assert KEY not in repr(c) and KEY not in str(c)
    assert KEY[:8] in repr(c)
    assert KEY not in c.api_key
    sibling = c.with_options(timeout=5.0)
    assert KEY not in repr(sibling) and KEY not in repr(vars(sibling)) and KEY not in repr(vars(c))
    ac = routerkit.AsyncClient(**mock.client_kwargs())
    assert KEY not in repr(ac) and KEY not in repr(vars(ac))
    with pytest.raises(routerkit.AuthenticationError) as info:
        c.chat.completions.create(model="m", messages=MSG)
    e = info.value
    for text in (str(e), repr(e), e.message, repr(e.args), repr(e.response.headers)):
        assert KEY not in text, text
    assert e.status_code == 401 and e.code == "invalid_api_key"


def test_bad_configuration_names_the_field(mock: Mock) -> None:
    with pytest.raises(ValueError) as info:
        routerkit.Client(api_key=KEY, base_url="not a url")
    assert info.value.param == "base_url"  # type: ignore[attr-defined]
    assert KEY not in str(info.value)
    with pytest.raises(routerkit.OpenAIError) as info2:
        routerkit.Client(api_key="sk-bad\r\nx: y", base_url=mock.base_url)
    assert "x: y" not in str(info2.value)
    with pytest.raises(TypeError):
        routerkit.Client(api_key=KEY, base_url=mock.base_url).chat.completions.create(
            model="m", messages=MSG, temperature="hot"
        )
    with pytest.raises(ValueError):
        routerkit.Client(api_key=KEY, base_url=mock.base_url, default_headers={"x-a": "b\nc"})


def test_key_and_base_url_from_env_and_dotenv(mock: Mock, tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("THEROUTER_API_KEY", "THEROUTER_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(f"THEROUTER_API_KEY={KEY}\nTHEROUTER_BASE_URL={mock.base_url}\n")
    c = routerkit.OpenAI(default_headers={"x-mock-session": mock.sid})
    assert c.chat.completions.create(model="m", messages=MSG).choices[0].message.content
    assert mock.requests()[0]["headers"]["authorization"] == f"Bearer {KEY}"
    (tmp_path / ".env").unlink()
    with pytest.raises(routerkit.OpenAIError):
        routerkit.OpenAI()


def test_closed_client_refuses_calls(mock: Mock) -> None:
    with routerkit.Client(**mock.client_kwargs()) as c:
        c.models.list()
    with pytest.raises(routerkit.APIConnectionError):
        c.models.list()


def test_async_streams_run_under_uvloop(mock: Mock) -> None:
    """uvloop (a common production loop) drives the same completion queue (its add_reader) and
    the read-ahead streams: 20 concurrent streams, their usage and a cancelled one."""
    import uvloop

    mock.script(
        [{"stream": {"pieces": ["a", "b", "c"], "repeat": 300}} for _ in range(20)]
        + [{"stream": {"content": "x y z", "stall_after": 1, "stall_ms": 30000}}]
    )

    async def one(aclient: Any) -> tuple:
        stream = await aclient.chat.completions.create(
            model="m", messages=MSG, stream=True, stream_options={"include_usage": True}
        )
        text = []
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                text.append(chunk.choices[0].delta.content)
        return "".join(text), stream.usage

    async def main() -> list:
        assert isinstance(asyncio.get_running_loop(), uvloop.Loop)
        aclient = routerkit.AsyncClient(**mock.client_kwargs())
        out = await asyncio.gather(*(one(aclient) for _ in range(20)))
        got = []

        async def stalled() -> None:
            stream = await aclient.chat.completions.create(model="m", messages=MSG, stream=True)
            async for chunk in stream:
                got.append(chunk)

        task = asyncio.ensure_future(stalled())
        for _ in range(200):
            await asyncio.sleep(0.02)
            if got:
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return out

    out = uvloop.run(main())
    assert [t for t, _ in out] == ["abc" * 100] * 20
    assert all(u is not None and u.completion_tokens > 0 for _, u in out)
    assert wait_for(lambda: mock.requests()[20]["client_disconnected"])


def test_async_streams_share_the_loop(mock: Mock, aclient: Any) -> None:
    """A read-ahead stream whose chunks are all buffered hands the loop back every 64 chunks, so
    a busy stream cannot hold other streams' chunks (and their first chunk) back until it ends."""
    from routerkit._streaming import _FAIR_SHARE

    mock.script([{"stream": {"pieces": ["a", "b"], "repeat": 3000}} for _ in range(2)])
    order: list = []

    async def read(stream: Any, name: str) -> None:
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                order.append(name)

    async def main() -> None:
        a = await aclient.chat.completions.create(model="m", messages=MSG, stream=True)
        b = await aclient.chat.completions.create(model="m", messages=MSG, stream=True)
        await asyncio.sleep(0.5)  # both read ahead to their bound: every take finds chunks
        await asyncio.gather(read(a, "a"), read(b, "b"))

    asyncio.run(main())
    assert order.count("a") == order.count("b") == 3000
    runs, longest = 1, 1
    for prev, cur in zip(order[:1000], order[1:1000]):
        runs = runs + 1 if cur == prev else 1
        longest = max(longest, runs)
    assert longest <= _FAIR_SHARE, longest


_IMPORT_CHILD = """
import sys
import routerkit
client = routerkit.OpenAI(api_key="sk-test-0123456789")
print("types" in vars(routerkit), "routerkit.types" in sys.modules, "inspect" in sys.modules)
from routerkit.types.chat import ChatCompletion
print(routerkit.types.chat.ChatCompletion is ChatCompletion, routerkit.types.Completion.__name__)
"""


def test_import_leaves_the_type_modules_for_first_use() -> None:
    # `import routerkit` and a client do not load routerkit.types (about 100 modules) nor
    # inspect; `routerkit.types` and `from routerkit.types… import …` still give them.
    out = subprocess.run([sys.executable, "-c", _IMPORT_CHILD], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["False False False", "True Completion"]
