"""The Responses API: ``client.responses.create(...)`` (plain and ``stream=True``) and the
stream helper ``client.responses.stream(...)`` with ``get_final_response()``, as
openai-python has them.

Everything is the core's ``responses`` / ``responses_stream`` operations: the stream's
end and error rules and the accumulated final response come from the engine; this
module names things and wraps them.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, AsyncIterator, Iterator, List, Literal, Optional, Type, Union, overload

from . import _parsing
from ._exceptions import _convert
from ._routerkit import NativeError, NativeStream, parse_json
from ._streaming import AsyncStream, Stream
from ._types import BaseModel, _Response

__all__ = [
    "Response",
    "ResponseOutputItem",
    "ResponseOutputContent",
    "ResponseUsage",
    "ResponseStreamEvent",
    "Responses",
    "AsyncResponses",
    "ResponseStream",
    "AsyncResponseStream",
    "ResponseStreamManager",
    "AsyncResponseStreamManager",
]


class ResponseOutputContent(BaseModel):
    """A content part of an output item: ``output_text`` (``text``, ``annotations``), ``refusal``, …"""

    _fields = {"type": None, "text": None, "refusal": None, "annotations": BaseModel}
    type: str
    text: Optional[str]


class ResponseOutputItem(BaseModel):
    """An output item. ``type`` says which: ``message`` (``role``, ``content``), ``function_call``
    (``call_id``, ``name``, ``arguments``), ``reasoning`` (``summary``, ``encrypted_content``: kept
    as sent, to pass back in the next request's ``input``), or another, kept as sent."""

    _fields = {
        "type": None,
        "id": None,
        "status": None,
        "role": None,
        "content": ResponseOutputContent,
        "summary": BaseModel,
    }
    type: str
    id: Optional[str]


class ResponseUsage(BaseModel):
    _fields = {
        "input_tokens": None,
        "output_tokens": None,
        "total_tokens": None,
        "input_tokens_details": BaseModel,
        "output_tokens_details": BaseModel,
    }
    input_tokens: int
    output_tokens: int
    total_tokens: int


class Response(_Response):
    """``client.responses.create(...)``: openai-python's ``Response``."""

    _fields = {
        "id": None,
        "object": None,
        "created_at": None,
        "status": None,
        "model": None,
        "output": ResponseOutputItem,
        "usage": ResponseUsage,
        "error": BaseModel,
        "incomplete_details": BaseModel,
    }
    id: str
    object: str
    created_at: float
    status: Optional[str]
    model: str
    output: List[ResponseOutputItem]
    usage: Optional[ResponseUsage]

    @property
    def output_text(self) -> str:
        """The text of every ``output_text`` part of every message item, joined (openai-python's)."""
        texts: List[str] = []
        for item in self.__dict__.get("output") or []:
            if getattr(item, "type", None) == "message":
                for part in item.__dict__.get("content") or []:
                    if getattr(part, "type", None) == "output_text":
                        texts.append(part.__dict__.get("text") or "")
        return "".join(texts)


class ResponseStreamEvent(BaseModel):
    """One event of a Responses stream; ``type`` names it (``response.created``,
    ``response.output_text.delta`` with ``delta``, ``response.output_text.done`` with ``text``,
    ``response.function_call_arguments.delta``/``.done``, ``response.output_item.added``/``.done``
    with ``item``, ``response.completed`` with ``response``, …)."""

    _fields = {"type": None, "response": Response, "item": ResponseOutputItem, "part": ResponseOutputContent}
    type: str
    sequence_number: Optional[int]


def _final(native: NativeStream) -> Response:
    obj = parse_json(native.snapshot_json() or "{}", Response)
    object.__setattr__(obj, "_request_id", native.request_id())
    object.__setattr__(obj, "_attempts", native.attempts())
    object.__setattr__(obj, "_headers", native.headers())
    return obj  # type: ignore[no-any-return]


def _parsed_event(event: Any, parsing: Any) -> Any:
    """A helper event with structured outputs: ``response.output_text.done`` carries ``parsed``,
    ``response.completed`` a parsed response (openai-python's ``ResponseTextDoneEvent`` and
    ``ParsedResponse``); the core has already checked what they hold."""
    if parsing is not None:
        kind = event.type
        if kind == "response.output_text.done":
            event.__dict__["parsed"] = parsing.text(event.__dict__.get("text"))
        elif kind == "response.completed" and event.__dict__.get("response") is not None:
            parsing.final(event.response)
    return event


class ResponseStream(Stream[ResponseStreamEvent]):
    """What ``with client.responses.stream(...) as stream`` gives: iterate for the typed events,
    or ``get_final_response()`` (reads to the end; the engine built the response from the events).
    With ``text_format`` (or a JSON ``text.format``, or strict tools) ``response.output_text.done``
    events carry ``parsed`` and the final response ``output_parsed``."""

    def __init__(self, native: NativeStream, parsing: Any = None) -> None:
        self._parsing = parsing
        super().__init__(native)

    def __stream__(self) -> Iterator[ResponseStreamEvent]:
        for event in super().__stream__():
            yield _parsed_event(event, self._parsing)

    def until_done(self) -> "ResponseStream":
        for _ in self:
            pass
        return self

    def get_final_response(self) -> Response:
        self.until_done()
        response = _final(self._native)
        return self._parsing.final(response) if self._parsing is not None else response

    def current_response_snapshot(self) -> Response:
        # Not parsed: before the end the text may be a part of the JSON.
        return _final(self._native)


class AsyncResponseStream(AsyncStream[ResponseStreamEvent]):
    """``async with client.responses.stream(...) as stream``."""

    def __init__(self, native: NativeStream, caller: Any, parsing: Any = None) -> None:
        self._parsing = parsing
        super().__init__(native, caller)

    async def __stream__(self) -> AsyncIterator[ResponseStreamEvent]:
        async for event in super().__stream__():
            yield _parsed_event(event, self._parsing)

    async def until_done(self) -> "AsyncResponseStream":
        async for _ in self:
            pass
        return self

    async def get_final_response(self) -> Response:
        await self.until_done()
        response = _final(self._native)
        return self._parsing.final(response) if self._parsing is not None else response

    def current_response_snapshot(self) -> Response:
        # Not parsed: before the end the text may be a part of the JSON.
        return _final(self._native)


class ResponseStreamManager:
    """Opens the stream on ``__enter__`` and closes it on ``__exit__`` (openai-python's)."""

    def __init__(self, open_: Any) -> None:
        self._open = open_
        self._stream: Optional[ResponseStream] = None

    def __enter__(self) -> ResponseStream:
        self._stream = self._open()
        return self._stream

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncResponseStreamManager:
    def __init__(self, open_: Any) -> None:
        self._open = open_
        self._stream: Optional[AsyncResponseStream] = None

    async def __aenter__(self) -> AsyncResponseStream:
        self._stream = await self._open()
        return self._stream

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        if self._stream is not None:
            await self._stream.aclose()


def _params(model: Any, input: Any, params: dict) -> dict:
    params["model"] = model
    params["input"] = input
    params.pop("stream", None)
    return params


def _stream_parsing(body: dict, text_format: Any) -> Any:
    """The stream helper's operation: ``responses.parse_stream`` (and what parses its events) when
    the call asks for structured output, else ``responses_stream``."""
    body = _parsing.responses_body(body, text_format)
    parsing = _parsing.ResponseStreamParsing(text_format, body)
    if not parsing.wanted():
        return "responses_stream", None, body
    return "responses.parse_stream", parsing, body


def _call_options(client: Any, kwargs: dict) -> Any:
    """The per-call options out of a call's keyword arguments (the rest is the body), as
    every resource of the client builds them."""
    from ._client import _options

    return _options(
        client._default_query,
        kwargs.pop("extra_headers", None),
        kwargs.pop("extra_query", None),
        kwargs.pop("extra_body", None),
        kwargs.pop("timeout", None),
        kwargs.pop("max_retries", None),
        kwargs.pop("deadline", None),
        kwargs.pop("keepalive_timeout", None),
        kwargs,
    )


class Responses:
    """``client.responses``."""

    # The client is typed Any: `_client` imports this module.
    def __init__(self, client: Any) -> None:
        self._client = client

    def _call(self, stream: bool, kwargs: dict, op: str = "responses_stream") -> Any:
        from ._client import _body

        client = self._client
        opts = _call_options(client, kwargs)
        native = client._native
        try:
            if stream:
                return native.open(op, _body(kwargs), ResponseStreamEvent, opts)
            from ._client import _model

            return _model(Response, native.call("responses", _body(kwargs), opts))
        except NativeError as e:
            raise _convert(e) from None

    # The overloads give a typed program `Response` or `Stream[...]` from its `stream=` argument, as
    # openai-python's do.
    @overload
    def create(
        self, *, model: str, input: Any = None, stream: Literal[True], **params: Any
    ) -> Stream[ResponseStreamEvent]: ...

    @overload
    def create(
        self, *, model: str, input: Any = None, stream: Optional[Literal[False]] = None, **params: Any
    ) -> Response: ...

    @overload
    def create(
        self, *, model: str, input: Any = None, stream: bool, **params: Any
    ) -> Union[Response, Stream[ResponseStreamEvent]]: ...

    def create(
        self, *, model: str, input: Any = None, stream: Optional[bool] = None, **params: Any
    ) -> Union[Response, Stream[ResponseStreamEvent]]:
        """``POST /responses`` with openai-python's parameters (``instructions``, ``tools``,
        ``tool_choice``, ``text``, ``reasoning``, ``max_output_tokens``, ``previous_response_id``,
        ``store``, ``metadata``…; others pass through); ``stream=True`` gives a ``Stream`` of events."""
        body = _params(model, input, params)
        if stream:
            return Stream(self._call(True, body))
        return self._call(False, body)  # type: ignore[no-any-return]

    def parse(self, *, model: str, input: Any = None, text_format: Any = None, **params: Any) -> Response:
        """Structured outputs (openai-python's ``responses.parse``): ``text_format`` a pydantic model
        (sent as ``text.format``, its strict JSON Schema); ``output_parsed`` is the output text as that
        model (each ``output_text`` part has its ``parsed``, strict function calls ``parsed_arguments``).
        A mismatch the core finds raises ``OutputValidationError``."""
        from ._client import _body, _build

        body = _parsing.responses_body(_params(model, input, params), text_format)
        tools = body.get("tools")
        client = self._client
        opts = _call_options(client, body)
        try:
            t = client._native.call("responses.parse", _body(body), opts)
        except NativeError as e:
            raise _convert(e) from None
        return _parsing.finish_response(_build(Response, t), text_format, tools)  # type: ignore[no-any-return]

    def stream(self, *, model: str, input: Any = None, text_format: Any = None, **params: Any) -> ResponseStreamManager:
        """``with client.responses.stream(...) as stream:`` iterate for events, then
        ``stream.get_final_response()``. With ``text_format`` (a pydantic model, sent as
        ``text.format``), a JSON ``text.format`` or strict function tools, the core checks the
        output as ``parse`` does (``OutputValidationError`` in place of the failing
        ``response.output_text.done``), the done events carry ``parsed`` and the final response
        ``output_parsed``."""
        op, parsing, body = _stream_parsing(_params(model, input, params), text_format)
        return ResponseStreamManager(lambda: ResponseStream(self._call(True, body, op), parsing))


class AsyncResponses:
    """``client.responses`` on ``AsyncClient``."""

    def __init__(self, client: Any) -> None:
        self._client = client

    async def _call(self, stream: bool, kwargs: dict, op: str = "responses_stream") -> Any:
        from ._client import _body, _caller, _model

        client = self._client
        opts = _call_options(client, kwargs)
        native = client._native
        if stream:
            return await _caller.call(native.open_async, op, _body(kwargs), ResponseStreamEvent, opts)
        return _model(Response, await _caller.call(native.call_async, "responses", _body(kwargs), opts))

    @overload
    async def create(
        self, *, model: str, input: Any = None, stream: Literal[True], **params: Any
    ) -> AsyncStream[ResponseStreamEvent]: ...

    @overload
    async def create(
        self, *, model: str, input: Any = None, stream: Optional[Literal[False]] = None, **params: Any
    ) -> Response: ...

    @overload
    async def create(
        self, *, model: str, input: Any = None, stream: bool, **params: Any
    ) -> Union[Response, AsyncStream[ResponseStreamEvent]]: ...

    async def create(
        self, *, model: str, input: Any = None, stream: Optional[bool] = None, **params: Any
    ) -> Union[Response, AsyncStream[ResponseStreamEvent]]:
        from ._client import _caller

        body = _params(model, input, params)
        if stream:
            return AsyncStream(await self._call(True, body), _caller)
        return await self._call(False, body)  # type: ignore[no-any-return]

    async def parse(self, *, model: str, input: Any = None, text_format: Any = None, **params: Any) -> Response:
        """``await client.responses.parse(...)``: as the sync ``parse``."""
        from ._client import _body, _build, _caller

        body = _parsing.responses_body(_params(model, input, params), text_format)
        tools = body.get("tools")
        client = self._client
        opts = _call_options(client, body)
        t = await _caller.call(client._native.call_async, "responses.parse", _body(body), opts)
        return _parsing.finish_response(_build(Response, t), text_format, tools)  # type: ignore[no-any-return]

    def stream(
        self, *, model: str, input: Any = None, text_format: Any = None, **params: Any
    ) -> AsyncResponseStreamManager:
        """``async with client.responses.stream(...) as stream:``; ``text_format`` as the sync one."""
        from ._client import _caller

        op, parsing, body = _stream_parsing(_params(model, input, params), text_format)

        async def open_() -> AsyncResponseStream:
            return AsyncResponseStream(await self._call(True, body, op), _caller, parsing)

        return AsyncResponseStreamManager(open_)
