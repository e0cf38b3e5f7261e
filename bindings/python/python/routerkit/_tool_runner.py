"""The tool runner: ``client.chat.completions.run_tools(...)``, openai-node's ``runTools`` in
Python's idiom (openai-python has none).

The conversation (what is sent next, which calls run, the messages appended, the rounds
counted, the usage summed, the final results) is the core's state machine
(``core/src/tool_runner.rs``), stepped through the one native helper; this module calls the
caller's functions between steps and hands out events.

Shape: the runner is an iterator of events (``for event in runner``; ``async for`` on
``AsyncClient``), and runs as far as it is read. ``until_done()`` and the ``final_*()`` methods
read it to its end. Events have a ``type``: ``chat_completion`` (``.chat_completion``),
``message`` (``.message``, a dict as sent), ``function_tool_call`` (``.function_call``: name,
arguments, parsed_arguments), ``function_tool_call_result`` (``.content``), ``content``
(``.content``, an assistant reply's whole text; not streaming), and with ``stream=True`` the
stream helper's events of every round (``chunk``, ``content.delta``, ``content.done``,
``tool_calls.function.arguments.delta``, …).
"""

from __future__ import annotations

import json
from types import TracebackType
from typing import Any, AsyncIterator, Callable, Dict, Generator, Iterable, Iterator, List, Optional, Type

from ._exceptions import _convert
from ._response import _isawaitable
from ._routerkit import NativeError, parse_json
from ._routerkit import helper as _helper
from ._types import ChatCompletion, ChatCompletionMessage, CompletionUsage, Function

__all__ = [
    "ChatCompletionRunner",
    "AsyncChatCompletionRunner",
    "ChatCompletionEvent",
    "MessageEvent",
    "FunctionToolCallEvent",
    "FunctionToolCallResultEvent",
    "ContentEvent",
]


def _step(name: str, payload: Dict[str, Any]) -> Dict[str, Any]:
    try:
        return json.loads(_helper(name, json.dumps(payload)))  # type: ignore[no-any-return]
    except NativeError as e:
        raise _convert(e) from None


class ChatCompletionEvent:
    """A chat completion of the run arrived (tool call ids filled in)."""

    type = "chat_completion"

    def __init__(self, chat_completion: ChatCompletion) -> None:
        self.chat_completion = chat_completion

    def __repr__(self) -> str:
        return f"ChatCompletionEvent(chat_completion={self.chat_completion!r})"


class MessageEvent:
    """A message was appended to the conversation (an assistant reply or a tool result)."""

    type = "message"

    def __init__(self, message: Dict[str, Any]) -> None:
        self.message = message

    def __repr__(self) -> str:
        return f"MessageEvent(message={self.message!r})"


class FunctionToolCallEvent:
    """The model called a function (one event per call of an assistant message)."""

    type = "function_tool_call"

    def __init__(self, function_call: Function) -> None:
        self.function_call = function_call

    def __repr__(self) -> str:
        return f"FunctionToolCallEvent(function_call={self.function_call!r})"


class FunctionToolCallResultEvent:
    """A tool result (the function's answer, a parse error, or the runner's own refusal) was appended."""

    type = "function_tool_call_result"

    def __init__(self, content: str) -> None:
        self.content = content

    def __repr__(self) -> str:
        return f"FunctionToolCallResultEvent(content={self.content!r})"


class ContentEvent:
    """An assistant reply with content (its whole text; the streaming runner gives ``content.delta``)."""

    type = "content"

    def __init__(self, content: str) -> None:
        self.content = content

    def __repr__(self) -> str:
        return f"ContentEvent(content={self.content!r})"


class _Function:
    """One runnable function: the callable, its optional ``parse``, its name."""

    def __init__(self, spec: Dict[str, Any]) -> None:
        self.function: Callable[..., Any] = spec["function"]
        self.parse: Optional[Callable[[str], Any]] = spec.get("parse")
        self.name: str = str(spec.get("name") or getattr(self.function, "__name__", ""))


def _prepare(tools: Iterable[Any]) -> "tuple[List[Any], Dict[str, _Function]]":
    """The tools' definitions as the model sees them, and the functions by name."""
    definitions: List[Any] = []
    functions: Dict[str, _Function] = {}
    for tool in tools:
        if not isinstance(tool, dict) or tool.get("type") != "function":
            definitions.append(tool)
            continue
        spec = tool.get("function")
        if not isinstance(spec, dict) or not callable(spec.get("function")):
            raise TypeError("run_tools: a function tool needs `function` (a callable) in its `function` object")
        f = _Function(spec)
        functions.setdefault(f.name, f)
        d: Dict[str, Any] = {"name": f.name}
        for k in ("description", "parameters", "strict"):
            if spec.get(k) is not None:
                d[k] = spec[k]
        definitions.append({"type": "function", "function": d})
    return definitions, functions


def _output(value: Any) -> Any:
    """A function's return value as the core takes it: a str is sent as is, anything else as JSON."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):  # a pydantic model: its JSON form
        return dump(mode="json")
    return value


class _RunnerBase:
    def __init__(
        self,
        params: Dict[str, Any],
        functions: Dict[str, _Function],
        max_chat_completions: Optional[int],
        tool_context: Any,
        has_context: bool,
    ) -> None:
        self._params = params
        self._functions = functions
        self._max = max_chat_completions
        self._context = tool_context
        self._has_context = has_context
        self._state: Optional[Dict[str, Any]] = None
        self._final: Optional[Dict[str, Any]] = None
        self._completions: List[ChatCompletion] = []
        self._done = False

    @property
    def messages(self) -> List[Dict[str, Any]]:
        """The conversation so far: the caller's messages, then every assistant and tool message."""
        if self._state is None:
            return list(self._params.get("messages") or [])
        return self._state["messages"]  # type: ignore[no-any-return]

    def _start(self) -> Dict[str, Any]:
        s = _step("tool_runner.start", {"params": self._params, "max_chat_completions": self._max})
        self._state = s["state"]
        return s

    def _on_completion(self, completion_json: str) -> "tuple[Dict[str, Any], ChatCompletion]":
        s = _step("tool_runner.completion", {"state": self._state, "completion": json.loads(completion_json)})
        self._state = s["state"]
        completion: ChatCompletion = parse_json(json.dumps(s["completion"]), ChatCompletion)
        self._completions.append(completion)
        return s, completion

    def _on_results(self, results: List[Dict[str, Any]]) -> Dict[str, Any]:
        s = _step("tool_runner.results", {"state": self._state, "results": results})
        self._state = s["state"]
        return s

    def _args(self, f: _Function, value: Any) -> "tuple[Any, ...]":
        return (value, self._context) if self._has_context else (value,)

    def _events_of(self, message: Dict[str, Any], content_events: bool) -> Iterator[Any]:
        yield MessageEvent(message)
        role = message.get("role")
        if role == "tool" and message.get("content"):
            yield FunctionToolCallResultEvent(message["content"])
        elif role == "assistant":
            for call in message.get("tool_calls") or []:
                if call.get("type") == "function":
                    yield FunctionToolCallEvent(parse_json(json.dumps(call["function"]), Function))
            if content_events and message.get("content"):
                yield ContentEvent(message["content"])

    # ---- final results (after the run) ----

    def _final_message(self) -> ChatCompletionMessage:
        m = (self._final or {}).get("message")
        if m is None:
            from ._exceptions import OpenAIError

            raise OpenAIError("stream ended without producing a ChatCompletionMessage with role=assistant")
        return parse_json(json.dumps(m), ChatCompletionMessage)  # type: ignore[no-any-return]

    def _final_chat_completion(self) -> ChatCompletion:
        if not self._completions:
            from ._exceptions import OpenAIError

            raise OpenAIError("stream ended without producing a ChatCompletion")
        return self._completions[-1]

    def _total_usage(self) -> CompletionUsage:
        u = (self._final or {}).get("total_usage") or {"completion_tokens": 0, "prompt_tokens": 0, "total_tokens": 0}
        return parse_json(json.dumps(u), CompletionUsage)  # type: ignore[no-any-return]

    def all_chat_completions(self) -> List[ChatCompletion]:
        """The chat completions received so far, in request order."""
        return list(self._completions)

    @property
    def max_chat_completions_reached(self) -> bool:
        """Whether the run stopped because it made ``max_chat_completions`` requests."""
        return bool((self._final or {}).get("max_chat_completions_reached"))


class ChatCompletionRunner(_RunnerBase):
    """``client.chat.completions.run_tools(...)``: iterate for events; ``final_content()`` and the
    other ``final_*()`` methods run it to its end. Calls of one round run one after the other, in
    order; if one raises, the others still run, then the run ends with that exception."""

    def __init__(
        self,
        params: Dict[str, Any],
        functions: Dict[str, _Function],
        max_chat_completions: Optional[int],
        tool_context: Any,
        has_context: bool,
        round: Callable[[str], Generator[Any, None, str]],
        stream: bool,
    ) -> None:
        super().__init__(params, functions, max_chat_completions, tool_context, has_context)
        self._round = round
        self._stream = stream
        self._iterator = self.__run()

    def __run(self) -> Generator[Any, None, None]:
        s = self._start()
        while True:
            if s["action"] == "request":
                completion_json = yield from self._round(json.dumps(s["body"]))
                s, completion = self._on_completion(completion_json)
                yield ChatCompletionEvent(completion)
            elif s["action"] == "call_tools":
                results: List[Dict[str, Any]] = []
                failure: Optional[BaseException] = None
                for call in s["calls"]:
                    try:
                        results.append(self._call(call))
                    except Exception as e:  # every call runs before the first failure ends the run
                        failure = failure or e
                if failure is not None:
                    raise failure
                s = self._on_results(results)
            for m in s.get("added") or []:
                yield from self._events_of(m, not self._stream)
            if s["action"] == "done":
                self._final = s.get("final") or {}
                self._done = True
                return

    def _call(self, call: Dict[str, Any]) -> Dict[str, Any]:
        f = self._functions[call["name"]]
        value: Any = call["arguments"]
        if f.parse is not None:
            try:
                value = f.parse(value)
            except Exception as e:  # the parser's message goes back to the model
                return {"tool_call_id": call["id"], "output": str(e), "called": False}
        return {"tool_call_id": call["id"], "output": _output(f.function(*self._args(f, value))), "called": True}

    def __iter__(self) -> Iterator[Any]:
        return self._iterator

    def __next__(self) -> Any:
        return next(self._iterator)

    def __enter__(self) -> "ChatCompletionRunner":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stops the run (a stream in flight is cancelled, its connection freed)."""
        self._iterator.close()

    def until_done(self) -> "ChatCompletionRunner":
        """Runs to the end."""
        for _ in self._iterator:
            pass
        return self

    def final_chat_completion(self) -> ChatCompletion:
        self.until_done()
        return self._final_chat_completion()

    def final_message(self) -> ChatCompletionMessage:
        self.until_done()
        return self._final_message()

    def final_content(self) -> Optional[str]:
        self.until_done()
        return self._final_message().content

    def final_function_tool_call(self) -> Optional[Function]:
        self.until_done()
        f = (self._final or {}).get("function_tool_call")
        return None if f is None else parse_json(json.dumps(f), Function)

    def final_function_tool_call_result(self) -> Optional[str]:
        self.until_done()
        return (self._final or {}).get("function_tool_call_result")

    def total_usage(self) -> CompletionUsage:
        self.until_done()
        return self._total_usage()


class AsyncChatCompletionRunner(_RunnerBase):
    """``AsyncClient.chat.completions.run_tools(...)``: ``async for event in runner``; ``await
    runner.final_content()``. Functions may be sync or async; the calls of one round run
    together (``asyncio.gather``), and every call settles before a failure ends the run."""

    def __init__(
        self,
        params: Dict[str, Any],
        functions: Dict[str, _Function],
        max_chat_completions: Optional[int],
        tool_context: Any,
        has_context: bool,
        round: Callable[[str], AsyncIterator[Any]],
        stream: bool,
    ) -> None:
        super().__init__(params, functions, max_chat_completions, tool_context, has_context)
        self._round = round
        self._stream = stream
        self._iterator = self.__run()

    async def __run(self) -> AsyncIterator[Any]:
        import asyncio

        s = self._start()
        while True:
            if s["action"] == "request":
                # A round yields a streamed round's events as they come, then the completion's JSON text.
                completion_json = ""
                async for item in self._round(json.dumps(s["body"])):
                    if isinstance(item, str):
                        completion_json = item
                    else:
                        yield item
                s, completion = self._on_completion(completion_json)
                yield ChatCompletionEvent(completion)
            elif s["action"] == "call_tools":
                settled = await asyncio.gather(*(self._call(c) for c in s["calls"]), return_exceptions=True)
                for r in settled:
                    if isinstance(r, BaseException):
                        raise r
                s = self._on_results(list(settled))  # type: ignore[arg-type]
            for m in s.get("added") or []:
                for event in self._events_of(m, not self._stream):
                    yield event
            if s["action"] == "done":
                self._final = s.get("final") or {}
                self._done = True
                return

    async def _call(self, call: Dict[str, Any]) -> Dict[str, Any]:
        f = self._functions[call["name"]]
        value: Any = call["arguments"]
        if f.parse is not None:
            try:
                value = f.parse(value)
                if _isawaitable(value):
                    value = await value
            except Exception as e:
                return {"tool_call_id": call["id"], "output": str(e), "called": False}
        out = f.function(*self._args(f, value))
        if _isawaitable(out):
            out = await out
        return {"tool_call_id": call["id"], "output": _output(out), "called": True}

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterator

    async def __anext__(self) -> Any:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> "AsyncChatCompletionRunner":
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Stops the run (a stream in flight is cancelled, its connection freed)."""
        await self._iterator.aclose()  # type: ignore[attr-defined]

    async def until_done(self) -> "AsyncChatCompletionRunner":
        async for _ in self._iterator:
            pass
        return self

    async def final_chat_completion(self) -> ChatCompletion:
        await self.until_done()
        return self._final_chat_completion()

    async def final_message(self) -> ChatCompletionMessage:
        await self.until_done()
        return self._final_message()

    async def final_content(self) -> Optional[str]:
        await self.until_done()
        return self._final_message().content

    async def final_function_tool_call(self) -> Optional[Function]:
        await self.until_done()
        f = (self._final or {}).get("function_tool_call")
        return None if f is None else parse_json(json.dumps(f), Function)

    async def final_function_tool_call_result(self) -> Optional[str]:
        await self.until_done()
        return (self._final or {}).get("function_tool_call_result")

    async def total_usage(self) -> CompletionUsage:
        await self.until_done()
        return self._total_usage()
