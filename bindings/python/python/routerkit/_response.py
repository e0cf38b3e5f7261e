"""openai-python's raw responses: ``with_raw_response`` and ``with_streaming_response``.

``client.chat.completions.with_raw_response.create(...)`` runs the ordinary call with one
difference: where the result would be built, the engine's answer (body, status, headers,
request id, attempts) is handed back in a response object instead, parsed on ``.parse()``.
So every resource method gets both wrappers from the one mixin below, and the status and
headers are the engine's (the response the successful attempt received).

What openai-python's objects carry and these do not: ``http_request``/``http_response`` (no
httpx objects exist here), ``url``, ``method`` and ``http_version``.
"""

from __future__ import annotations

import contextvars
import http
import json
import time
from datetime import timedelta
from types import TracebackType
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Generic,
    Iterator,
    List,
    Optional,
    Tuple,
    Type,
    TypeVar,
)

from ._exceptions import Headers
from ._receipt import Receipt

__all__ = [
    "LegacyAPIResponse",
    "APIResponse",
    "AsyncAPIResponse",
    "ResponseContextManager",
    "AsyncResponseContextManager",
]

R = TypeVar("R")
_Raw = Tuple[bytes, int, List[Tuple[str, str]], Optional[str], int, Any]

# Set while a raw-response wrapper runs the ordinary method: `_client._model` then returns
# a `_Pending` (the engine's answer, unparsed) instead of the object.
_raw_mode: contextvars.ContextVar[bool] = contextvars.ContextVar("routerkit_raw_mode", default=False)


class _Pending:
    """The engine's answer to a call, with how to build its object (``_client._model``'s arguments)."""

    __slots__ = ("raw", "build", "post")

    def __init__(self, raw: _Raw, build: Callable[[_Raw], Any]) -> None:
        self.raw = raw
        self.build = build
        self.post: List[Callable[[Any], Any]] = []

    def parse(self) -> Any:
        obj = self.build(self.raw)
        for fn in self.post:
            obj = fn(obj)
        return obj


def _then(result: Any, fn: Callable[[Any], Any]) -> Any:
    """``fn(result)``, or, for a raw call's pending answer, ``fn`` applied when it is parsed."""
    if isinstance(result, _Pending):
        result.post.append(fn)
        return result
    return fn(result)


def _sse_lines(chunks: Iterator[Any]) -> Iterator[str]:
    """A stream's chunks as the lines of the SSE body a gateway sends."""
    from ._client import _dumps

    for chunk in chunks:
        yield "data: " + _dumps(chunk)
        yield ""
    yield "data: [DONE]"
    yield ""


async def _asse_lines(chunks: Any) -> AsyncIterator[str]:
    from ._client import _dumps

    async for chunk in chunks:
        yield "data: " + _dumps(chunk)
        yield ""
    yield "data: [DONE]"
    yield ""


class _Base(Generic[R]):
    """What the engine received: status, headers, request id, attempts, and the body or stream."""

    def __init__(self, result: Any, elapsed: float) -> None:
        self._receipt: Any = None
        if isinstance(result, _Pending):
            self._pending: Optional[_Pending] = result
            self._stream: Any = None
            # The engine's receipt (a NativeReceipt), written as JSON when `receipt` is read.
            _body, self.status_code, headers, self._request_id, attempts, self._receipt = result.raw
        elif hasattr(getattr(result, "_native", None), "headers"):
            # A stream: the engine opens one only on a 2xx answer, and gateways send 200.
            self._pending = None
            self._stream = result
            native = result._native
            self.status_code = 200
            headers, self._request_id, attempts = native.headers(), native.request_id(), native.attempts()
        else:
            raise TypeError(f"a raw response needs the engine's answer; the call gave a {type(result).__name__}")
        self.headers = Headers(headers)
        self.retries_taken: int = max(int(attempts) - 1, 0)
        """Retries made before this answer (``0`` when the first attempt answered)."""
        self.elapsed = timedelta(seconds=elapsed)
        """Time from the call to its response (headers, for a stream)."""
        self._parsed: Any = None
        self._done = False

    @property
    def request_id(self) -> Optional[str]:
        return self._request_id or self.headers.get("x-request-id")

    @property
    def receipt(self) -> Optional[Receipt]:
        """The route receipt of the call (for a stream: as known so far, final at its end)."""
        if self._stream is not None:
            return self._stream.receipt  # type: ignore[no-any-return]
        return Receipt._from_json(self._receipt)

    @property
    def reason_phrase(self) -> str:
        try:
            return http.HTTPStatus(self.status_code).phrase
        except ValueError:
            return ""

    @property
    def is_closed(self) -> bool:
        if self._stream is None:
            return True
        return bool(self._stream._native.is_closed())

    def _parse(self) -> Any:
        if not self._done:
            self._parsed = self._pending.parse() if self._pending is not None else self._stream
            self._done = True
        return self._parsed

    def _body(self) -> bytes:
        assert self._pending is not None
        return self._pending.raw[0]

    def __repr__(self) -> str:
        kind = "stream" if self._stream is not None else "body"
        return f"<{type(self).__name__} [{self.status_code} {self.reason_phrase}] {kind}>"


class LegacyAPIResponse(_Base[R]):
    """What ``with_raw_response`` returns: ``.headers``, ``.status_code``, ``.parse()`` (sync for both clients)."""

    def parse(self) -> R:
        """The object the plain call returns (a ``Stream`` for ``stream=True``)."""
        return self._parse()  # type: ignore[no-any-return]

    @property
    def content(self) -> bytes:
        if self._stream is not None:
            if not hasattr(self._stream, "__iter__"):
                raise TypeError("the body of an async stream is read with `async for` over `.parse()`")
            return "\n".join(_sse_lines(iter(self._stream))).encode() + b"\n"
        return self._body()

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class APIResponse(_Base[R]):
    """What ``with_streaming_response`` gives inside its ``with``: ``.parse()``, ``.read()``, ``.iter_lines()``…"""

    def parse(self) -> R:
        return self._parse()  # type: ignore[no-any-return]

    def read(self) -> bytes:
        if self._stream is not None:
            return ("\n".join(self.iter_lines()) + "\n").encode()
        return self._body()

    def text(self) -> str:
        return self.read().decode("utf-8", "replace")

    def json(self) -> object:
        return json.loads(self.read())

    def iter_lines(self) -> Iterator[str]:
        """The body's lines, without their line ends (a stream's are its SSE lines)."""
        if self._stream is not None:
            yield from _sse_lines(iter(self._stream))
            return
        yield from self._body().decode("utf-8", "replace").splitlines()

    def iter_text(self, chunk_size: Optional[int] = None) -> Iterator[str]:
        for line in self.iter_lines():
            yield line + "\n"

    def iter_bytes(self, chunk_size: Optional[int] = None) -> Iterator[bytes]:
        if self._stream is None:
            yield self._body()
            return
        for text in self.iter_text():
            yield text.encode()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncAPIResponse(_Base[R]):
    """``with_streaming_response`` on ``AsyncOpenAI``: ``await response.parse()``,
    ``async for line in response.iter_lines()``."""

    async def parse(self) -> R:
        return self._parse()  # type: ignore[no-any-return]

    async def read(self) -> bytes:
        if self._stream is not None:
            return ("\n".join([line async for line in self.iter_lines()]) + "\n").encode()
        return self._body()

    async def text(self) -> str:
        return (await self.read()).decode("utf-8", "replace")

    async def json(self) -> object:
        return json.loads(await self.read())

    async def iter_lines(self) -> AsyncIterator[str]:
        if self._stream is not None:
            async for line in _asse_lines(self._stream):
                yield line
            return
        for line in self._body().decode("utf-8", "replace").splitlines():
            yield line

    async def iter_text(self, chunk_size: Optional[int] = None) -> AsyncIterator[str]:
        async for line in self.iter_lines():
            yield line + "\n"

    async def iter_bytes(self, chunk_size: Optional[int] = None) -> AsyncIterator[bytes]:
        async for text in self.iter_text():
            yield text.encode()

    async def close(self) -> None:
        if self._stream is not None:
            await self._stream.close()


_Resp = TypeVar("_Resp", bound=_Base[Any])


class ResponseContextManager(Generic[_Resp]):
    """``with client.….with_streaming_response.create(...) as response:``; the call is made on entry."""

    def __init__(self, request: Callable[[], _Resp]) -> None:
        self._request = request
        self._response: Optional[_Resp] = None

    def __enter__(self) -> _Resp:
        self._response = self._request()
        return self._response

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        if self._response is not None and isinstance(self._response, APIResponse):
            self._response.close()


class AsyncResponseContextManager(Generic[_Resp]):
    """``async with client.….with_streaming_response.create(...) as response:``."""

    def __init__(self, request: Callable[[], Awaitable[_Resp]]) -> None:
        self._request = request
        self._response: Optional[_Resp] = None

    async def __aenter__(self) -> _Resp:
        self._response = await self._request()
        return self._response

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        if self._response is not None and isinstance(self._response, AsyncAPIResponse):
            await self._response.close()


def _call_raw(method: Callable[..., Any], args: Any, kwargs: Any) -> Tuple[Any, float]:
    t0 = time.monotonic()
    token = _raw_mode.set(True)
    try:
        result = method(*args, **kwargs)
    finally:
        _raw_mode.reset(token)
    return result, time.monotonic() - t0


async def _acall_raw(method: Callable[..., Any], args: Any, kwargs: Any) -> Tuple[Any, float]:
    t0 = time.monotonic()
    token = _raw_mode.set(True)
    try:
        result = method(*args, **kwargs)
        if _isawaitable(result):
            result = await result
    finally:
        _raw_mode.reset(token)
    return result, time.monotonic() - t0


class _Wrapped:
    """``resource.with_raw_response`` / ``resource.with_streaming_response``: the resource's methods, raw."""

    def __init__(self, resource: Any, streaming: bool) -> None:
        self._resource = resource
        self._streaming = streaming
        self._async = bool(getattr(resource, "_is_async", False))

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._resource, name)
        if name.startswith("_") or not callable(method) or name in ("stream", "parse"):
            raise AttributeError(f"{type(self._resource).__name__}.{name} has no raw response form")
        streaming, is_async = self._streaming, self._async

        if not is_async and not streaming:

            def raw(*args: Any, **kwargs: Any) -> LegacyAPIResponse[Any]:
                return LegacyAPIResponse(*_call_raw(method, args, kwargs))

            return raw
        if not is_async:

            def streamed(*args: Any, **kwargs: Any) -> ResponseContextManager[APIResponse[Any]]:
                return ResponseContextManager(lambda: APIResponse(*_call_raw(method, args, kwargs)))

            return streamed
        if not streaming:

            async def araw(*args: Any, **kwargs: Any) -> LegacyAPIResponse[Any]:
                return LegacyAPIResponse(*(await _acall_raw(method, args, kwargs)))

            return araw

        def astreamed(*args: Any, **kwargs: Any) -> AsyncResponseContextManager[AsyncAPIResponse[Any]]:
            async def request() -> AsyncAPIResponse[Any]:
                return AsyncAPIResponse(*(await _acall_raw(method, args, kwargs)))

            return AsyncResponseContextManager(request)

        return astreamed


class _RawResponses:
    """Mixed into every resource: ``with_raw_response`` and ``with_streaming_response``, as openai-python's."""

    _is_async = False

    @property
    def with_raw_response(self) -> Any:
        """The same methods, returning the response (``.headers``, ``.status_code``, ``.parse()``)."""
        return _Wrapped(self, streaming=False)

    @property
    def with_streaming_response(self) -> Any:
        """The same methods, as context managers over the response (``.iter_lines()``, ``.parse()``)."""
        return _Wrapped(self, streaming=True)


class _AsyncRawResponses(_RawResponses):
    _is_async = True


class _Nested:
    """``client.chat.with_raw_response``: the sub-resources, each wrapped (``.completions.create(...)``)."""

    def __init__(self, parent: Any, streaming: bool) -> None:
        self._parent = parent
        self._streaming = streaming

    def __getattr__(self, name: str) -> Any:
        child = getattr(self._parent, name)
        if name.startswith("_") or not isinstance(child, _RawResponses):
            raise AttributeError(f"{type(self._parent).__name__}.{name} has no raw response form")
        return child.with_streaming_response if self._streaming else child.with_raw_response


class _NestedRawResponses:
    """Mixed into resources that only group others (``client.chat``), as openai-python's."""

    @property
    def with_raw_response(self) -> Any:
        return _Nested(self, streaming=False)

    @property
    def with_streaming_response(self) -> Any:
        return _Nested(self, streaming=True)


def _isawaitable(value: Any) -> bool:
    # inspect is imported on the first async call, not with the package (it costs ~4 ms of
    # `import routerkit`, and asyncio, which every async caller has loaded, imports it anyway).
    import inspect

    return inspect.isawaitable(value)
