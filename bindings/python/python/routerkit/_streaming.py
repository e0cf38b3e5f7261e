"""Streams: ``Stream``/``AsyncStream`` (``create(stream=True)``) and the chat stream
helper (``client.chat.completions.stream(...)``) with openai-python's events.

The native stream hands over batches of raw chunk JSON (and, for the helper, the
events the core derived); this module only parses and wraps them.
"""

from __future__ import annotations

from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Generic,
    Iterator,
    List,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from ._exceptions import Headers, Response, _convert
from ._receipt import Receipt
from ._routerkit import NativeError, NativeStream, parse_json
from ._types import ChatCompletion, ChatCompletionChunk, CompletionUsage

if TYPE_CHECKING:
    from ._client import _AsyncCaller


class _Cancelled(Exception):
    """A batch request ended because the stream was closed."""


def _close_gen(gen: Any) -> None:
    """End iteration now, even within a batch already handed over."""
    try:
        gen.close()
    except (ValueError, RuntimeError):  # running in another thread: the native close ends it
        pass


async def _aclose_gen(gen: Any) -> None:
    try:
        await gen.aclose()
    except (ValueError, RuntimeError):  # running in another task: the native close ends it
        pass


__all__ = [
    "Stream",
    "AsyncStream",
    "ChatCompletionStream",
    "AsyncChatCompletionStream",
    "ChatCompletionStreamManager",
    "AsyncChatCompletionStreamManager",
    "ChatCompletionStreamEvent",
    "ChunkEvent",
    "ContentDeltaEvent",
    "ContentDoneEvent",
    "RefusalDeltaEvent",
    "RefusalDoneEvent",
    "ReasoningDeltaEvent",
    "FunctionToolCallArgumentsDeltaEvent",
    "FunctionToolCallArgumentsDoneEvent",
]

_T = TypeVar("_T")


def _is_cancelled(err: NativeError) -> bool:
    return bool(err.args) and isinstance(err.args[0], dict) and err.args[0].get("kind") == "cancelled"


def _response_of(native: NativeStream) -> Response:
    rid = native.request_id()
    return Response(200, Headers(native.headers()), rid)


def _usage_of(native: NativeStream) -> Optional[CompletionUsage]:
    data = native.snapshot_json()
    return parse_json(data, ChatCompletion).usage if data else None  # type: ignore[no-any-return]


class Stream(Generic[_T]):
    """``create(stream=True)``: iterate for ``ChatCompletionChunk``s; ``close()`` or leave the
    ``with`` block to stop early (the connection is closed)."""

    def __init__(self, native: NativeStream) -> None:
        self._native = native
        self._iterator = self.__stream__()
        self.response = _response_of(native)

    @property
    def request_id(self) -> Optional[str]:
        return self.response.request_id

    @property
    def _request_id(self) -> Optional[str]:
        return self.response.request_id

    @property
    def usage(self) -> Optional[CompletionUsage]:
        """The call's usage, once the gateway sent it. The engine asks for usage on every stream;
        the ``choices: []`` chunk that brings it is handed over only to a caller who asked for it
        (``stream_options``), so that loops indexing ``choices[0]`` keep working."""
        return _usage_of(self._native)

    @property
    def receipt(self) -> Optional[Receipt]:
        """The route receipt: what is known so far during the stream (model, provider, attempts,
        time to first byte and token), final (``complete``, with usage and cost) after its end or ``close()``."""
        return Receipt._from_json(self._native.receipt_json())

    @property
    def _attempts(self) -> int:
        return self._native.attempts()

    def __stream__(self) -> Iterator[_T]:
        native = self._native
        while True:
            try:
                batch = native.next_batch()
            except NativeError as e:
                if _is_cancelled(e):
                    return
                raise _convert(e) from None
            if not batch:
                return
            yield from batch

    def __iter__(self) -> Iterator[_T]:
        return self._iterator

    def __next__(self) -> _T:
        return next(self._iterator)

    def __enter__(self) -> "Stream[_T]":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the stream and close its connection."""
        self._native.close()
        _close_gen(self._iterator)

    def __del__(self) -> None:
        native = getattr(self, "_native", None)
        if native is not None:
            native.close()


class AsyncStream(Generic[_T]):
    """``await create(stream=True)`` on ``AsyncClient``: ``async for`` over chunks; ``aclose()``
    or leave the ``async with`` block to stop early. Cancelling the iterating task closes it."""

    def __init__(self, native: NativeStream, caller: "_AsyncCaller") -> None:
        self._native = native
        self._caller = caller
        self._iterator = self.__stream__()
        self.response = _response_of(native)

    @property
    def request_id(self) -> Optional[str]:
        return self.response.request_id

    @property
    def _request_id(self) -> Optional[str]:
        return self.response.request_id

    @property
    def usage(self) -> Optional[CompletionUsage]:
        """The call's usage, once the gateway sent it. The engine asks for usage on every stream;
        the ``choices: []`` chunk that brings it is handed over only to a caller who asked for it
        (``stream_options``), so that loops indexing ``choices[0]`` keep working."""
        return _usage_of(self._native)

    @property
    def receipt(self) -> Optional[Receipt]:
        """The route receipt: what is known so far during the stream (model, provider, attempts,
        time to first byte and token), final (``complete``, with usage and cost) after its end or ``close()``."""
        return Receipt._from_json(self._native.receipt_json())

    @property
    def _attempts(self) -> int:
        return self._native.attempts()

    async def _next_batch(self) -> List[Any]:
        native = self._native
        return await self._caller.call(native.next_batch_async, stream=native)  # type: ignore[no-any-return]

    async def __stream__(self) -> AsyncIterator[_T]:
        while True:
            try:
                batch = await self._next_batch()
            except _Cancelled:
                return
            if not batch:
                return
            for chunk in batch:
                yield chunk

    def __aiter__(self) -> AsyncIterator[_T]:
        return self._iterator

    async def __anext__(self) -> _T:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> "AsyncStream[_T]":
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the stream and close its connection."""
        self._native.close()
        await _aclose_gen(self._iterator)

    async def close(self) -> None:
        """Alias of ``aclose()`` (openai-python's name)."""
        await self.aclose()

    def __del__(self) -> None:
        native = getattr(self, "_native", None)
        if native is not None:
            native.close()


# ---------------------------------------------------------------------------
# The chat stream helper's events (openai-python lib/streaming/chat/_events.py)


class _Parts:
    """One piece of text as its deltas arrive; snapshots are cut from it on demand.

    The deltas are joined now and then rather than all kept: a list of every delta held a
    pointer per chunk for the stream's life (10 million one-character deltas: 80 MB for 10 MB
    of text). Joined once the deltas waiting outnumber 1/32 of the text's length, the text is
    copied about 32 times over the stream, and memory stays near its length.
    """

    __slots__ = ("text", "pending", "length")

    def __init__(self) -> None:
        self.text = ""
        self.pending: List[str] = []
        self.length = 0

    def add(self, delta: str) -> int:
        """Appends `delta`; the text's length with it (where its snapshot ends)."""
        self.pending.append(delta)
        self.length += len(delta)
        if len(self.pending) > 4096 and len(self.pending) > len(self.text) >> 5:
            self.joined()
        return self.length

    def joined(self) -> str:
        if self.pending:
            self.text += "".join(self.pending)
            self.pending.clear()
        return self.text


class ChunkEvent:
    """``type == "chunk"``: every chunk, with the completion accumulated so far."""

    __slots__ = ("chunk", "_stream")
    type = "chunk"

    def __init__(self, chunk: ChatCompletionChunk, stream: "_HelperCore") -> None:
        self.chunk = chunk
        self._stream = stream

    @property
    def snapshot(self) -> ChatCompletion:
        """The accumulated completion (at the end of the batch this chunk arrived in)."""
        return self._stream.snapshot()

    def __repr__(self) -> str:
        return f"ChunkEvent(type='chunk', chunk={self.chunk!r})"


class _DeltaEvent:
    __slots__ = ("delta", "_parts", "_end", "choice_index")
    type: str = ""

    def __init__(self, delta: str, parts: _Parts, choice_index: int) -> None:
        self._end = parts.add(delta)
        self.delta = delta
        self._parts = parts
        self.choice_index = choice_index

    @property
    def snapshot(self) -> str:
        """The text so far, this delta included."""
        return self._parts.joined()[: self._end]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(type={self.type!r}, delta={self.delta!r})"


class ContentDeltaEvent(_DeltaEvent):
    __slots__ = ()
    type = "content.delta"
    parsed: Optional[object] = None


class RefusalDeltaEvent(_DeltaEvent):
    __slots__ = ()
    type = "refusal.delta"


class ReasoningDeltaEvent(_DeltaEvent):
    """routerkit addition: reasoning text (``reasoning_content``/``reasoning``) as it arrives."""

    __slots__ = ()
    type = "reasoning.delta"


class ContentDoneEvent:
    __slots__ = ("content", "choice_index")
    type = "content.done"
    parsed: Optional[object] = None

    def __init__(self, content: str, choice_index: int) -> None:
        self.content = content
        self.choice_index = choice_index

    def __repr__(self) -> str:
        return f"ContentDoneEvent(type='content.done', content={self.content!r})"


class RefusalDoneEvent:
    __slots__ = ("refusal", "choice_index")
    type = "refusal.done"

    def __init__(self, refusal: str, choice_index: int) -> None:
        self.refusal = refusal
        self.choice_index = choice_index

    def __repr__(self) -> str:
        return f"RefusalDoneEvent(type='refusal.done', refusal={self.refusal!r})"


class FunctionToolCallArgumentsDeltaEvent:
    __slots__ = ("name", "index", "arguments_delta", "_parts", "_end", "choice_index")
    type = "tool_calls.function.arguments.delta"
    parsed_arguments: Optional[object] = None

    def __init__(self, name: str, index: int, delta: str, parts: _Parts, choice_index: int) -> None:
        self._end = parts.add(delta)
        self.name = name
        self.index = index
        self.arguments_delta = delta
        self._parts = parts
        self.choice_index = choice_index

    @property
    def arguments(self) -> str:
        """The arguments so far, this delta included."""
        return self._parts.joined()[: self._end]

    def __repr__(self) -> str:
        return (
            f"FunctionToolCallArgumentsDeltaEvent(name={self.name!r}, index={self.index}, "
            f"arguments_delta={self.arguments_delta!r})"
        )


class FunctionToolCallArgumentsDoneEvent:
    __slots__ = ("name", "index", "arguments", "choice_index")
    type = "tool_calls.function.arguments.done"
    parsed_arguments: Optional[object] = None

    def __init__(self, name: str, index: int, arguments: str, choice_index: int) -> None:
        self.name = name
        self.index = index
        self.arguments = arguments
        self.choice_index = choice_index

    def __repr__(self) -> str:
        return (
            f"FunctionToolCallArgumentsDoneEvent(name={self.name!r}, index={self.index}, arguments={self.arguments!r})"
        )


ChatCompletionStreamEvent = Union[
    ChunkEvent,
    ContentDeltaEvent,
    ContentDoneEvent,
    RefusalDeltaEvent,
    RefusalDoneEvent,
    ReasoningDeltaEvent,
    FunctionToolCallArgumentsDeltaEvent,
    FunctionToolCallArgumentsDoneEvent,
]


class _HelperCore:
    """Turns one native (chunk JSON, core events) pair into helper events."""

    def __init__(self, native: NativeStream) -> None:
        self._native = native
        self._parts: Dict[Tuple[str, int, int], _Parts] = {}

    def snapshot(self) -> ChatCompletion:
        data = self._native.snapshot_json()
        return parse_json(data, ChatCompletion) if data else ChatCompletion()  # type: ignore[no-any-return]

    def final(self) -> ChatCompletion:
        data = self._native.final_json()
        out: ChatCompletion = parse_json(data, ChatCompletion) if data else ChatCompletion()
        object.__setattr__(out, "_request_id", self._native.request_id())
        object.__setattr__(out, "_attempts", self._native.attempts())
        return out

    def _parts_for(self, key: Tuple[str, int, int]) -> _Parts:
        p = self._parts.get(key)
        if p is None:
            p = self._parts[key] = _Parts()
        return p

    def events(
        self, chunk: ChatCompletionChunk, raw: List[Tuple[str, int, str, Optional[int], Optional[str]]]
    ) -> List[Any]:
        out: List[Any] = [ChunkEvent(chunk, self)]
        for kind, choice, text, index, name in raw:
            if kind == "content.delta":
                out.append(ContentDeltaEvent(text, self._parts_for(("c", choice, 0)), choice))
            elif kind == "content.done":
                out.append(ContentDoneEvent(text, choice))
            elif kind == "refusal.delta":
                out.append(RefusalDeltaEvent(text, self._parts_for(("r", choice, 0)), choice))
            elif kind == "refusal.done":
                out.append(RefusalDoneEvent(text, choice))
            elif kind == "reasoning.delta":
                out.append(ReasoningDeltaEvent(text, self._parts_for(("z", choice, 0)), choice))
            elif kind == "tool_calls.function.arguments.delta":
                i = index or 0
                out.append(
                    FunctionToolCallArgumentsDeltaEvent(name or "", i, text, self._parts_for(("t", choice, i)), choice)
                )
            elif kind == "tool_calls.function.arguments.done":
                out.append(FunctionToolCallArgumentsDoneEvent(name or "", index or 0, text, choice))
        return out


class ChatCompletionStream:
    """What ``with client.chat.completions.stream(...) as stream`` gives: iterate for events,
    or use ``text_stream``, ``until_done()``, ``get_final_completion()``."""

    def __init__(self, native: NativeStream) -> None:
        self._native = native
        self._core = _HelperCore(native)
        self._iterator = self.__stream__()
        self.response = _response_of(native)

    def __stream__(self) -> Iterator[ChatCompletionStreamEvent]:
        native = self._native
        core = self._core
        while True:
            try:
                batch = native.next_batch()
            except NativeError as e:
                if _is_cancelled(e):
                    return
                raise _convert(e) from None
            if not batch:
                return
            for data, raw in batch:
                yield from core.events(data, raw)

    def __iter__(self) -> Iterator[ChatCompletionStreamEvent]:
        return self._iterator

    def __next__(self) -> ChatCompletionStreamEvent:
        return next(self._iterator)

    def __enter__(self) -> "ChatCompletionStream":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()

    @property
    def text_stream(self) -> Iterator[str]:
        """The content deltas only, as ``str`` (consumes the stream)."""
        for event in self._iterator:
            if event.type == "content.delta":
                yield event.delta  # type: ignore[union-attr]

    def until_done(self) -> "ChatCompletionStream":
        """Read the stream to its end."""
        for _ in self._iterator:
            pass
        return self

    def get_final_completion(self) -> ChatCompletion:
        """Read to the end; the accumulated completion (with ``usage`` when the gateway sent it)."""
        self.until_done()
        return self._core.final()

    @property
    def current_completion_snapshot(self) -> ChatCompletion:
        return self._core.snapshot()

    @property
    def receipt(self) -> Optional[Receipt]:
        """The route receipt: what is known so far during the stream (model, provider, attempts,
        time to first byte and token), final (``complete``, with usage and cost) after its end or ``close()``."""
        return Receipt._from_json(self._native.receipt_json())

    @property
    def _request_id(self) -> Optional[str]:
        return self.response.request_id

    def close(self) -> None:
        self._native.close()
        _close_gen(self._iterator)

    def __del__(self) -> None:
        native = getattr(self, "_native", None)
        if native is not None:
            native.close()


class ChatCompletionStreamManager:
    """``client.chat.completions.stream(...)``: use it as a context manager."""

    def __init__(self, start: Callable[[], NativeStream]) -> None:
        self._start = start
        self._stream: Optional[ChatCompletionStream] = None

    def __enter__(self) -> ChatCompletionStream:
        self._stream = ChatCompletionStream(self._start())
        return self._stream

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncChatCompletionStream:
    """Async twin of ``ChatCompletionStream``."""

    def __init__(self, native: NativeStream, caller: "_AsyncCaller") -> None:
        self._native = native
        self._caller = caller
        self._core = _HelperCore(native)
        self._iterator = self.__stream__()
        self.response = _response_of(native)

    async def __stream__(self) -> AsyncIterator[ChatCompletionStreamEvent]:
        native = self._native
        core = self._core
        while True:
            try:
                batch = await self._caller.call(native.next_batch_async, stream=native)
            except _Cancelled:
                return
            if not batch:
                return
            for data, raw in batch:
                for event in core.events(data, raw):
                    yield event

    def __aiter__(self) -> AsyncIterator[ChatCompletionStreamEvent]:
        return self._iterator

    async def __anext__(self) -> ChatCompletionStreamEvent:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> "AsyncChatCompletionStream":
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.close()

    @property
    def text_stream(self) -> AsyncIterator[str]:
        """The content deltas only, as ``str`` (consumes the stream): ``async for text in stream.text_stream``."""
        return _text_stream(self)

    async def until_done(self) -> "AsyncChatCompletionStream":
        async for _ in self._iterator:
            pass
        return self

    async def get_final_completion(self) -> ChatCompletion:
        await self.until_done()
        return self._core.final()

    @property
    def current_completion_snapshot(self) -> ChatCompletion:
        return self._core.snapshot()

    @property
    def receipt(self) -> Optional[Receipt]:
        """The route receipt: what is known so far during the stream (model, provider, attempts,
        time to first byte and token), final (``complete``, with usage and cost) after its end or ``close()``."""
        return Receipt._from_json(self._native.receipt_json())

    @property
    def _request_id(self) -> Optional[str]:
        return self.response.request_id

    async def close(self) -> None:
        self._native.close()
        await _aclose_gen(self._iterator)

    aclose = close

    def __del__(self) -> None:
        native = getattr(self, "_native", None)
        if native is not None:
            native.close()


async def _text_stream(stream: AsyncChatCompletionStream) -> AsyncIterator[str]:
    async for event in stream._iterator:
        if event.type == "content.delta":
            yield event.delta  # type: ignore[union-attr]


class AsyncChatCompletionStreamManager:
    """``client.chat.completions.stream(...)`` on ``AsyncClient``: ``async with`` it."""

    def __init__(self, start: Callable[[], Awaitable[NativeStream]], caller: "_AsyncCaller") -> None:
        self._start = start
        self._caller = caller
        self._stream: Optional[AsyncChatCompletionStream] = None

    async def __aenter__(self) -> AsyncChatCompletionStream:
        self._stream = AsyncChatCompletionStream(await self._start(), self._caller)
        return self._stream

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        if self._stream is not None:
            await self._stream.close()
