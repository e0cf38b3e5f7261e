"""Run by test_hardening.py in a child process with ROUTERKIT_LOG=debug: triggers every
error kind with the key echoed back, formats everything, prints each text on stdout."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from typing import Any, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
import routerkit
from conftest import Mock

url, key = sys.argv[1], sys.argv[2]
MSG = [{"role": "user", "content": "hello"}]
texts: List[str] = []
kinds: set = set()


def session(steps: Any) -> Mock:
    m = Mock(url, uuid.uuid4().hex)
    m.script(steps)
    return m


def client(m: Mock, **kw: Any) -> Any:
    return routerkit.Client(**m.client_kwargs(api_key=key, **kw))


def forms(obj: Any) -> None:
    texts.extend([repr(obj), str(obj), f"{obj!r:>10}"])
    try:
        texts.append(repr(vars(obj)))
    except TypeError:
        pass
    if isinstance(obj, BaseException):
        texts.extend([repr(obj.args), repr(getattr(obj, "__dict__", None))])
        for attr in ("message", "body", "code", "param", "type", "request_id"):
            texts.append(repr(getattr(obj, attr, None)))
        resp = getattr(obj, "response", None)
        if resp is not None:
            texts.extend([repr(resp), repr(dict(resp.headers))])
        import traceback

        texts.append("".join(traceback.format_exception(type(obj), obj, obj.__traceback__)))


def expect(exc: type, fn: Any, kind: str) -> None:
    try:
        fn()
    except exc as e:
        kinds.add(kind)
        forms(e)
        return
    raise AssertionError(f"{exc} expected for {kind}")


def echo(status: int) -> Any:
    return {
        "status": status,
        "headers": {"x-echo": key},
        "body": {
            "error": {
                "message": f"Incorrect API key provided: {key}",
                "type": "invalid_request_error",
                "code": status,
                "param": key,
            }
        },
    }


m = session([echo(400), echo(401), echo(429), echo(429), echo(500), echo(500)])
c = client(m, max_retries=1)
for obj in (
    c,
    c.with_options(timeout=5.0),
    routerkit.AsyncClient(**m.client_kwargs(api_key=key)),
    c.chat,
    c.chat.completions,
):
    forms(obj)
texts.append(repr(c.api_key))
for exc in (
    routerkit.BadRequestError,
    routerkit.AuthenticationError,
    routerkit.RateLimitError,
    routerkit.InternalServerError,
):
    expect(exc, lambda: c.chat.completions.create(model="m", messages=MSG), "status")

m = session(
    [
        {
            "stream": {
                "content": "a b c",
                "error_after": 1,
                "error_event": {"error": {"message": f"key {key} revoked", "code": 401}},
            }
        },
        {"stream": {"raw_events": [f'data: {{"not a chunk {key}\n\n']}},
        {"body_raw": f"<html>{key}</html>", "content_type": "text/html"},
        {"body": {"error": {"message": f"bad key {key}", "code": 402}}},
    ]
)
c = client(m, max_retries=0)


def consume() -> None:
    with c.chat.completions.create(model="m", messages=MSG, stream=True) as s:
        forms(s)
        for _ in s:
            pass


expect(routerkit.APIStreamError, consume, "stream")
expect(routerkit.APIError, consume, "decode")
expect(routerkit.APIResponseValidationError, lambda: c.chat.completions.create(model="m", messages=MSG), "decode")
expect(routerkit.APIError, lambda: c.chat.completions.create(model="m", messages=MSG), "stream")

refused = routerkit.Client(
    api_key=key, base_url="http://127.0.0.1:1/v1", max_retries=1, initial_retry_delay=0.001, max_retry_delay=0.002
)
expect(routerkit.APIConnectionError, lambda: refused.chat.completions.create(model="m", messages=MSG), "connection")

m = session([{"delay_headers_ms": 3000}, {"stream": {"content": "a b c", "stall_after": 1, "stall_ms": 3000}}])
c = client(m, max_retries=0, timeout=0.15)
expect(routerkit.APITimeoutError, lambda: c.chat.completions.create(model="m", messages=MSG), "timeout")
expect(
    routerkit.APITimeoutError, lambda: list(c.chat.completions.create(model="m", messages=MSG, stream=True)), "timeout"
)

# Cancelled: asyncio's idiom, during a 20 s Retry-After sleep.
m = session([{"status": 429, "headers": {"retry-after": "20"}}])
ac = routerkit.AsyncClient(**m.client_kwargs(api_key=key))


async def cancelled() -> None:
    try:
        await asyncio.wait_for(ac.chat.completions.create(model="m", messages=MSG), 0.2)
    except asyncio.TimeoutError as e:
        kinds.add("cancelled")
        forms(e)


asyncio.run(cancelled())

expect(ValueError, lambda: routerkit.Client(api_key=key + "\r\nx-evil: 1", base_url=url), "invalid_request")
expect(
    ValueError,
    lambda: routerkit.Client(api_key=key, base_url=url, default_headers={"x-a": key + "\n"}),
    "invalid_request",
)
expect(ValueError, lambda: client(m).chat.completions.create(model=f"m\r\n{key}", messages=MSG), "invalid_request")

assert sorted(kinds) == ["cancelled", "connection", "decode", "invalid_request", "status", "stream", "timeout"], kinds
for t in texts:
    print("TEXT", t.replace("\n", " | "))
print("CHILD-OK")
