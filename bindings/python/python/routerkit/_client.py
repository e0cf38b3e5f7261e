"""``Client``/``AsyncClient`` (also exported as ``OpenAI``/``AsyncOpenAI``) and their resources.

A translation table: keyword arguments → JSON text → the native call → raw JSON
→ light objects. Retries, timeouts, streaming and errors live in the engine.
"""

from __future__ import annotations

import json
import os
import weakref
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Callable,
    Dict,
    Generator,
    Iterable,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
    overload,
)

from . import _parsing, _responses
from ._embeddings import default_encoding as _default_encoding
from ._exceptions import APIConnectionError, APIResponseValidationError, InvalidRequestError, _convert
from ._receipt import Receipt
from ._receipt import _hook as _receipt_hook
from ._response import _AsyncRawResponses, _NestedRawResponses, _Pending, _raw_mode, _RawResponses, _then
from ._routerkit import CallHandle, NativeClient, NativeError, NativeStream
from ._routerkit import Completions as _CompletionQueue
from ._routerkit import parse_json as _parse
from ._streaming import (
    AsyncChatCompletionStream,
    AsyncChatCompletionStreamManager,
    AsyncStream,
    ChatCompletionStream,
    ChatCompletionStreamManager,
    Stream,
    _Cancelled,
)
from ._tool_runner import AsyncChatCompletionRunner, ChatCompletionRunner
from ._tool_runner import _prepare as _prepare_tools
from ._types import (
    ChatCompletion,
    ChatCompletionChunk,
    Completion,
    CreateEmbeddingResponse,
    Model,
    ModelList,
    ModerationCreateResponse,
    _json_default,
)

if TYPE_CHECKING:
    import asyncio

__all__ = ["Client", "AsyncClient", "OpenAI", "AsyncOpenAI", "NOT_GIVEN", "NotGiven", "Timeout"]

_M = TypeVar("_M")


class NotGiven:
    """openai-python's sentinel for "leave this parameter out"."""

    _instance: Optional["NotGiven"] = None

    def __new__(cls) -> "NotGiven":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()
Omit = NotGiven
omit = NOT_GIVEN


class Timeout:
    """A timeout with phases, for code written for httpx/openai: ``read`` (or the default)
    becomes routerkit's ``timeout``, ``connect`` its ``connect_timeout``."""

    def __init__(
        self,
        timeout: Optional[float] = None,
        *,
        connect: Optional[float] = None,
        read: Optional[float] = None,
        write: Optional[float] = None,
        pool: Optional[float] = None,
    ) -> None:
        self.connect = connect if connect is not None else timeout
        self.read = read if read is not None else timeout
        self.write = write
        self.pool = pool


TimeoutTypes = Union[float, int, Timeout, None]

_dumps = json.JSONEncoder(separators=(",", ":"), default=_json_default, ensure_ascii=False).encode


def _number(name: str, v: Any) -> Optional[float]:
    """A number of seconds, or a TypeError naming the parameter (the engine checks the range)."""
    if v is None or isinstance(v, NotGiven):
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InvalidRequestError(f"`{name}` must be a number of seconds, not {type(v).__name__}", param=name)
    if v != v or v in (float("inf"), float("-inf")):
        # JSON, which carries options to the core, has no NaN or infinity.
        raise InvalidRequestError(f"invalid `{name}`: must be a finite number of seconds, got {v}", param=name)
    return float(v)


def _count(name: str, v: Any) -> Optional[int]:
    if v is None or isinstance(v, NotGiven):
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise InvalidRequestError(f"`{name}` must be an integer, not {type(v).__name__}", param=name)
    return v


def _split_timeout(t: Any) -> Tuple[Optional[float], Optional[float]]:
    """float → (timeout, None); a Timeout/httpx.Timeout → (read, connect)."""
    if t is None or isinstance(t, NotGiven):
        return None, None
    if isinstance(t, (int, float)) or isinstance(t, (str, bytes)) or not hasattr(t, "read"):
        return _number("timeout", t), None
    read = getattr(t, "read", None)
    connect = getattr(t, "connect", None)
    return (float(read) if read is not None else None), (float(connect) if connect is not None else None)


def _pairs(d: Optional[Mapping[str, Any]], name: str = "headers") -> Optional[List[Tuple[str, str]]]:
    if not d:
        return None
    # None / NOT_GIVEN remove a default header (an empty value does, in the engine).
    for k, v in d.items():
        if not isinstance(k, str) or not (v is None or isinstance(v, (str, NotGiven))):
            raise InvalidRequestError(
                f"`{name}`: header {k!r} must have a str value, not {type(v).__name__}", param=name
            )
    return [(k, "" if v is None or isinstance(v, NotGiven) else v) for k, v in d.items()]


def _ms(seconds: Optional[float]) -> Optional[float]:
    return None if seconds is None else seconds * 1000.0


def _options(
    default_query: Optional[Mapping[str, Any]],
    extra_headers: Optional[Mapping[str, Any]],
    extra_query: Optional[Mapping[str, Any]],
    extra_body: Optional[Mapping[str, Any]],
    timeout: Any,
    max_retries: Optional[int] = None,
    deadline: Optional[float] = None,
    keepalive_timeout: Optional[float] = None,
    params: Optional[Dict[str, Any]] = None,
) -> Optional[str]:
    """Per-call options as JSON text of the core's options schema (keys as in
    ``routerkit::bridge::options::CallOptions``; durations in ms), or None for none.

    ``params`` (a call's other keyword arguments, the body) gives up the routing options
    routerkit adds to openai-python's: ``fallback_models``, ``follow_gateway_fallbacks``,
    ``hedge_after`` (seconds) and ``idempotent``; they are options, never sent in the body."""
    o: Dict[str, Any] = {}
    if params:
        if "fallback_models" in params:
            models = params.pop("fallback_models")
            if models is not None:
                o["fallback_models"] = _models(models)
        if "follow_gateway_fallbacks" in params:
            follow = params.pop("follow_gateway_fallbacks")
            if follow is not None:
                o["follow_gateway_fallbacks"] = bool(follow)
        if "hedge_after" in params:
            hedge = params.pop("hedge_after")
            if hedge is not None:
                o["hedge_after_ms"] = _ms(_number("hedge_after", hedge))
        if "idempotent" in params:
            idempotent = params.pop("idempotent")
            if idempotent is not None:
                o["idempotent"] = bool(idempotent)
    t = _split_timeout(timeout)[0]
    if t is not None:
        o["timeout_ms"] = t * 1000.0
    if max_retries is not None:
        o["max_retries"] = _count("max_retries", max_retries)
    if deadline is not None:
        o["deadline_ms"] = _ms(_number("deadline", deadline))
    if keepalive_timeout is not None:
        o["keepalive_timeout_ms"] = _ms(_number("keepalive_timeout", keepalive_timeout))
    if extra_headers:
        o["headers"] = _pairs(extra_headers, "extra_headers")
    if default_query or extra_query:
        query = dict(default_query or {})
        query.update(extra_query or {})
        o["query"] = [(k, "" if v is None or isinstance(v, NotGiven) else str(v)) for k, v in query.items()]
    if extra_body:
        o["extra_body"] = extra_body
    return _encode("extra_body", o) if o else None


def _models(value: Any) -> List[str]:
    """``fallback_models``: a list of model ids."""
    if isinstance(value, str) or not all(isinstance(m, str) for m in value):
        raise InvalidRequestError("`fallback_models` must be a list of model ids (str)", param="fallback_models")
    return list(value)


def _encode(name: str, value: Any) -> str:
    try:
        return _dumps(value)
    except (TypeError, ValueError) as e:
        raise InvalidRequestError(f"`{name}` is not JSON-serialisable: {e}", param=name) from None


def _body(params: Dict[str, Any]) -> str:
    # None is "not given" too, as the typed request the engine used to parse left it out
    # (the engine now sends the caller's JSON as written, nulls included).
    body = {k: v for k, v in params.items() if v is not None and not isinstance(v, NotGiven)}
    try:
        return _dumps(body)
    except (TypeError, ValueError):
        # Name the parameter at fault, as a wrong type does.
        for k, v in body.items():
            _encode(k, v)
        raise


def _stream_parsing(params: Dict[str, Any]) -> Tuple[str, Any]:
    """The stream helper's operation: ``chat.parse_stream`` (and what parses its events) when the
    call asks for structured output, else ``chat_stream``."""
    response_format = params.get("response_format")
    tools = params.get("tools")
    tool_list = list(tools) if tools is not None else None
    if not _parsing.StreamParsing.wanted(response_format, tool_list):
        return "chat_stream", None
    if tool_list is not None:
        params["tools"] = tool_list
    _parsing.chat_body(params)
    return "chat.parse_stream", _parsing.StreamParsing(response_format, tool_list)


def _model(cls: Type[_M], t: Tuple[bytes, int, List[Tuple[str, str]], Optional[str], int, Any]) -> _M:
    if _raw_mode.get():
        # `with_raw_response`: the engine's answer goes back unparsed (see _response.py).
        return _Pending(t, lambda t: _build(cls, t))  # type: ignore[return-value]
    return _build(cls, t)


def _build(cls: Type[_M], t: Tuple[bytes, int, List[Tuple[str, str]], Optional[str], int, Any]) -> _M:
    body, _status, headers, request_id, attempts, receipt = t
    obj = _parse(body, cls)
    if not isinstance(obj, cls):
        raise APIResponseValidationError(f"expected a JSON object, got {type(obj).__name__}")
    object.__setattr__(obj, "_request_id", request_id)
    object.__setattr__(obj, "_attempts", attempts)
    object.__setattr__(obj, "_headers", headers)
    object.__setattr__(obj, "_receipt", receipt)
    return obj


class _Secret:
    """Holds the key for ``with_options``; its repr shows the first min(8, len/2) characters, so that
    no key is ever shown whole, however short (the core's rule)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return repr(self._value[: min(8, len(self._value) // 2)] + "…")

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("the API key is not picklable")


class _Closed:
    """Stands in for the native client after ``close()``."""

    def __getattr__(self, name: str) -> Any:
        raise APIConnectionError("Cannot send a request, as the client has been closed.")


_CLIENT_OPTIONS = (
    "on_receipt",
    "api_key",
    "base_url",
    "timeout",
    "connect_timeout",
    "deadline",
    "max_retries",
    "initial_retry_delay",
    "max_retry_delay",
    "default_headers",
    "default_query",
    "tls_ca_cert",
    "allow_insecure_http",
    "keepalive_timeout",
    "max_body_bytes",
    "fallback_models",
    "follow_gateway_fallbacks",
    "fallback_on_status",
    "hedge_after",
)


TlsCaCert = Union[str, "os.PathLike[str]", bytes, None]
"""``tls_ca_cert``: extra CA certificate(s) to trust besides the built-in roots: the path of a PEM file
(``str`` or ``os.PathLike``), or the PEM itself (``bytes``, or a ``str`` holding ``-----BEGIN CERTIFICATE-----``)."""


def _tls_ca_cert(value: TlsCaCert) -> Tuple[Optional[str], Optional[str]]:
    """``tls_ca_cert`` → ``(path or PEM text, PEM text from bytes)`` for the engine."""
    if value is None:
        return None, None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None, bytes(value).decode("ascii", "replace")
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value), None
    from ._exceptions import InvalidRequestError

    raise InvalidRequestError(
        f"`tls_ca_cert` must be a path (str or os.PathLike) or PEM bytes, not {type(value).__name__}",
        param="tls_ca_cert",
    )


class _BaseClient:
    _native: Any

    def __init__(
        self,
        *,
        api_key: Union[str, _Secret, None] = None,
        base_url: Optional[str] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        connect_timeout: Optional[float] = None,
        deadline: Optional[float] = None,
        initial_retry_delay: Optional[float] = None,
        max_retry_delay: Optional[float] = None,
        tls_ca_cert: TlsCaCert = None,
        allow_insecure_http: bool = False,
        keepalive_timeout: Optional[float] = None,
        max_body_bytes: Optional[int] = None,
        fallback_models: Optional[Sequence[str]] = None,
        follow_gateway_fallbacks: Optional[bool] = None,
        fallback_on_status: Optional[Sequence[int]] = None,
        hedge_after: Optional[float] = None,
        on_receipt: Optional[Callable[[Receipt], Any]] = None,
        _parent: Optional[NativeClient] = None,
    ) -> None:
        read, connect = _split_timeout(timeout)
        read = _number("timeout", read)
        if connect_timeout is None:
            connect_timeout = connect
        if isinstance(api_key, _Secret):
            api_key = api_key.get()
        if api_key is not None and not isinstance(api_key, str):
            raise InvalidRequestError(f"`api_key` must be a str, not {type(api_key).__name__}", param="api_key")
        connect_timeout, deadline = _number("connect_timeout", connect_timeout), _number("deadline", deadline)
        initial_retry_delay = _number("initial_retry_delay", initial_retry_delay)
        max_retry_delay = _number("max_retry_delay", max_retry_delay)
        max_retries = _count("max_retries", max_retries)
        keepalive_timeout = _number("keepalive_timeout", keepalive_timeout)
        max_body_bytes = _count("max_body_bytes", max_body_bytes)
        models = _models(fallback_models) if fallback_models is not None else None
        hedge_after = _number("hedge_after", hedge_after)
        self._options: Dict[str, Any] = {
            "api_key": _Secret(api_key) if api_key is not None else None,
            "base_url": base_url,
            "timeout": timeout,
            "connect_timeout": connect_timeout,
            "deadline": deadline,
            "max_retries": max_retries,
            "initial_retry_delay": initial_retry_delay,
            "max_retry_delay": max_retry_delay,
            "default_headers": dict(default_headers) if default_headers else None,
            "default_query": dict(default_query) if default_query else None,
            "tls_ca_cert": tls_ca_cert,
            "allow_insecure_http": allow_insecure_http,
            "keepalive_timeout": keepalive_timeout,
            "max_body_bytes": max_body_bytes,
            "fallback_models": models,
            "follow_gateway_fallbacks": follow_gateway_fallbacks,
            "fallback_on_status": list(fallback_on_status) if fallback_on_status is not None else None,
            "hedge_after": hedge_after,
            "on_receipt": on_receipt,
        }
        if on_receipt is not None and not callable(on_receipt):
            raise TypeError(f"`on_receipt` must be callable, not {type(on_receipt).__name__}")
        ca_path, ca_pem = _tls_ca_cert(tls_ca_cert)
        # The core's options schema (routerkit::bridge::options::ClientOptions): defaults and rules live there.
        native: Dict[str, Any] = {
            "api_key": api_key,
            "base_url": str(base_url) if base_url is not None else None,
            "timeout_ms": _ms(read),
            "connect_timeout_ms": _ms(connect_timeout),
            "deadline_ms": _ms(deadline),
            "keepalive_timeout_ms": _ms(keepalive_timeout),
            "max_body_bytes": max_body_bytes,
            "max_retries": max_retries,
            "initial_retry_delay_ms": _ms(initial_retry_delay),
            "max_retry_delay_ms": _ms(max_retry_delay),
            "headers": _pairs(default_headers, "default_headers"),
            "tls_ca_cert": ca_path,
            "tls_ca_cert_pem": ca_pem,
            "allow_insecure_http": bool(allow_insecure_http),
            "fallback_models": models,
            "follow_gateway_fallbacks": follow_gateway_fallbacks,
            "fallback_on_status": list(fallback_on_status) if fallback_on_status is not None else None,
            "hedge_after_ms": _ms(hedge_after),
        }
        try:
            # The core calls the hook once per call, when it ends (a response, an error, a
            # stream's end or close), on the thread that ends it; an exception in it is reported
            # through sys.unraisablehook and never reaches the call.
            hook = _receipt_hook(on_receipt) if on_receipt is not None else None
            self._native = NativeClient(_dumps({k: v for k, v in native.items() if v is not None}), _parent, hook)
        except NativeError as e:
            raise _convert(e) from None
        self._default_query = self._options["default_query"]

    @property
    def api_key(self) -> str:
        """The key, masked: routerkit never hands the whole key back."""
        return str(self._native.masked_key())

    @property
    def base_url(self) -> str:
        return str(self._native.base_url()) + "/"

    @property
    def timeout(self) -> float:
        return float(json.loads(self._native.settings())["timeout_ms"]) / 1000.0

    @property
    def max_retries(self) -> int:
        return int(json.loads(self._native.settings())["max_retries"])

    def _merged(self, overrides: Dict[str, Any]) -> Dict[str, Any]:
        unknown = set(overrides) - set(_CLIENT_OPTIONS)
        if unknown:
            raise TypeError(f"with_options() got unexpected options: {', '.join(sorted(unknown))}")
        merged = dict(self._options)
        for k, v in overrides.items():
            if v is not None and not isinstance(v, NotGiven):
                if k in ("default_headers", "default_query") and merged.get(k):
                    v = {**merged[k], **v}
                merged[k] = v
        return merged

    def __repr__(self) -> str:
        try:
            return f"{type(self).__name__}(base_url={self._native.base_url()!r}, api_key={self._native.masked_key()!r})"
        except APIConnectionError:
            return f"{type(self).__name__}(closed)"


class Client(_BaseClient):
    """A client for an OpenAI-compatible gateway; code written for ``openai.OpenAI`` runs on it.

    Arguments not given come from ``THEROUTER_API_KEY``/``THEROUTER_BASE_URL`` (then
    ``OPENAI_*``), in the environment or a ``.env`` file. Thread-safe.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        connect_timeout: Optional[float] = None,
        deadline: Optional[float] = None,
        initial_retry_delay: Optional[float] = None,
        max_retry_delay: Optional[float] = None,
        tls_ca_cert: TlsCaCert = None,
        allow_insecure_http: bool = False,
        keepalive_timeout: Optional[float] = None,
        max_body_bytes: Optional[int] = None,
        fallback_models: Optional[Sequence[str]] = None,
        follow_gateway_fallbacks: Optional[bool] = None,
        fallback_on_status: Optional[Sequence[int]] = None,
        hedge_after: Optional[float] = None,
        on_receipt: Optional[Callable[[Receipt], Any]] = None,
        _parent: Optional[NativeClient] = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            connect_timeout=connect_timeout,
            deadline=deadline,
            initial_retry_delay=initial_retry_delay,
            max_retry_delay=max_retry_delay,
            tls_ca_cert=tls_ca_cert,
            allow_insecure_http=allow_insecure_http,
            keepalive_timeout=keepalive_timeout,
            max_body_bytes=max_body_bytes,
            fallback_models=fallback_models,
            follow_gateway_fallbacks=follow_gateway_fallbacks,
            fallback_on_status=fallback_on_status,
            hedge_after=hedge_after,
            on_receipt=on_receipt,
            _parent=_parent,
        )
        self.chat = Chat(self)
        self.models = Models(self)
        self.embeddings = Embeddings(self)
        self.completions = TextCompletions(self)
        self.moderations = Moderations(self)
        self.responses = _responses.Responses(self)
        self.beta = Beta(self)

    def with_options(self, **options: Any) -> "Client":
        """A client with some options changed, sharing this one's connection pool."""
        return Client(**self._merged(options), _parent=self._native)

    copy = with_options

    def close(self) -> None:
        """Release the connection pool; later calls raise ``APIConnectionError``."""
        self._native = _Closed()

    def __enter__(self) -> "Client":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()


class Chat(_NestedRawResponses):
    def __init__(self, client: Client) -> None:
        self.completions = Completions(client)


class Beta:
    """``client.beta``: where openai-python 1.x kept ``chat.completions.parse``; the same resources."""

    def __init__(self, client: Client) -> None:
        self.chat = client.chat


class Completions(_RawResponses):
    """``client.chat.completions``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        stream: Literal[True],
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Stream[ChatCompletionChunk]: ...

    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        stream: Optional[Literal[False]] = None,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> ChatCompletion: ...

    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        stream: bool,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Union[ChatCompletion, Stream[ChatCompletionChunk]]: ...

    def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        stream: Optional[bool] = None,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Union[ChatCompletion, Stream[ChatCompletionChunk]]:
        """``POST /chat/completions`` with openai-python's parameters (others pass through to the gateway)."""
        params["model"] = model
        params["messages"] = messages
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
            params,
        )
        try:
            if stream:
                return Stream(client._native.open("chat_stream", _body(params), ChatCompletionChunk, opts))
            return _model(ChatCompletion, client._native.call("chat", _body(params), opts))
        except NativeError as e:
            raise _convert(e) from None

    def parse(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        response_format: Any = None,
        tools: Optional[Iterable[Any]] = None,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> ChatCompletion:
        """Structured outputs (openai-python's ``parse``): ``response_format`` a pydantic model (sent as
        its strict JSON Schema) or a ``response_format`` dict; ``choices[i].message.parsed`` is the
        answer as that model (a dict for a dict format), ``None`` with ``message.refusal`` set for a
        refusal. Raises ``LengthFinishReasonError``, ``ContentFilterFinishReasonError``, and
        ``OutputValidationError`` (not JSON, or not the schema: ``param`` is the failing path)."""
        tool_list = list(tools) if tools is not None else None
        params.update(model=model, messages=messages, response_format=response_format, tools=tool_list)
        params.pop("stream", None)
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
        )
        body = _body(_parsing.chat_body(params))
        try:
            t = client._native.call("chat.parse", body, opts)
        except NativeError as e:
            raise _convert(e) from None
        return _parsing.finish_chat(_build(ChatCompletion, t), response_format, tool_list)  # type: ignore[no-any-return]

    def stream(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> ChatCompletionStreamManager:
        """The stream helper: ``with client.chat.completions.stream(...) as stream:`` then iterate for
        events, or ``stream.text_stream``, ``stream.get_final_completion()``. With a ``response_format``
        (a pydantic model or a JSON format) or strict tools, the core checks the whole answer as
        ``parse`` does, and ``content.done`` events and the final completion carry ``parsed``."""
        params["model"] = model
        params["messages"] = messages
        params.pop("stream", None)
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
            params,
        )
        op, parsing = _stream_parsing(params)
        body = _body(params)

        def start() -> NativeStream:
            try:
                return client._native.open(op, body, ChatCompletionChunk, opts, True)  # type: ignore[no-any-return]
            except NativeError as e:
                raise _convert(e) from None

        return ChatCompletionStreamManager(start, parsing)

    def run_tools(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        tools: Iterable[Any],
        stream: Optional[bool] = None,
        max_chat_completions: Optional[int] = None,
        tool_context: Any = NOT_GIVEN,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        **params: Any,
    ) -> ChatCompletionRunner:
        """The tool runner (openai-node's ``runTools``): ``tools`` are ``{"type": "function",
        "function": {"function": callable, "parse"?: callable, "name"?, "description",
        "parameters", "strict"?}}``; the runner calls the functions the model asks for with the
        arguments text (or what ``parse`` made of it; ``parse`` raising sends its message back to
        the model) and ``tool_context`` when given, sends the results back (a ``str`` as is,
        anything else as JSON), until the model answers without tool calls or
        ``max_chat_completions`` (default 10) requests were made. ``stream=True`` streams every
        round. Returns the runner at once: iterate it for events, or call ``final_content()``."""
        client = self._client
        opts = _options(client._default_query, extra_headers, extra_query, extra_body, timeout, max_retries, deadline)
        definitions, functions = _prepare_tools(list(tools))
        body = json.loads(_body({"model": model, "messages": list(messages), "tools": definitions, **params}))
        native = client._native

        def plain(text: str) -> Generator[Any, None, str]:
            try:
                raw = native.call("chat", text, opts)
            except NativeError as e:
                raise _convert(e) from None
            return raw[0].decode()
            yield  # a generator: the streamed rounds yield their events

        def streamed(text: str) -> Generator[Any, None, str]:
            try:
                ns = native.open("chat_stream", text, ChatCompletionChunk, opts, True)
            except NativeError as e:
                raise _convert(e) from None
            s = ChatCompletionStream(ns)
            try:
                yield from s
                return ns.final_json() or ""
            finally:
                s.close()

        return ChatCompletionRunner(
            body,
            functions,
            max_chat_completions,
            tool_context,
            not isinstance(tool_context, NotGiven),
            streamed if stream else plain,
            bool(stream),
        )


class Models(_RawResponses):
    """``client.models``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def list(
        self,
        *,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
    ) -> ModelList:
        """``GET /models``; iterate the result for the models (``.data`` is the list)."""
        client = self._client
        opts = _options(
            client._default_query, extra_headers, extra_query, None, timeout, max_retries, deadline, keepalive_timeout
        )
        try:
            return _model(ModelList, client._native.call("models", None, opts))
        except NativeError as e:
            raise _convert(e) from None

    def retrieve(
        self,
        model: str,
        *,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
    ) -> Model:
        """``GET /models/{model}`` (a gateway id may hold slashes: ``openai/gpt-4.1``)."""
        client = self._client
        opts = _options(
            client._default_query, extra_headers, extra_query, None, timeout, max_retries, deadline, keepalive_timeout
        )
        try:
            return _model(Model, client._native.call("models.retrieve", _encode("model", {"id": model}), opts))
        except NativeError as e:
            raise _convert(e) from None


class TextCompletions:
    """``client.completions``: the legacy completions endpoint (``prompt`` in, ``choices[].text`` out)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @overload
    def create(
        self,
        *,
        model: str,
        prompt: Any = NOT_GIVEN,
        stream: Literal[True],
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Stream[Completion]: ...

    @overload
    def create(
        self,
        *,
        model: str,
        prompt: Any = NOT_GIVEN,
        stream: Optional[Literal[False]] = None,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Completion: ...

    @overload
    def create(
        self,
        *,
        model: str,
        prompt: Any = NOT_GIVEN,
        stream: bool,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Union[Completion, Stream[Completion]]: ...

    def create(
        self,
        *,
        model: str,
        # Optional here so that the engine, which validates every language alike, names it when missing.
        prompt: Any = NOT_GIVEN,
        stream: Optional[bool] = None,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Union[Completion, Stream[Completion]]:
        """``POST /completions``; with ``stream=True`` a ``Stream`` of ``Completion`` chunks."""
        params["model"] = model
        params["prompt"] = prompt
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
            params,
        )
        try:
            if stream:
                return Stream(client._native.open("completions_stream", _body(params), Completion, opts))
            return _model(Completion, client._native.call("completions", _body(params), opts))
        except NativeError as e:
            raise _convert(e) from None


class Moderations:
    """``client.moderations``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(
        self,
        *,
        input: Any,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> ModerationCreateResponse:
        """``POST /moderations``."""
        params["input"] = input
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
            params,
        )
        try:
            return _model(ModerationCreateResponse, client._native.call("moderations", _body(params), opts))
        except NativeError as e:
            raise _convert(e) from None


class Embeddings(_RawResponses):
    """``client.embeddings``."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(
        self,
        *,
        input: Any,
        model: str,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> CreateEmbeddingResponse:
        """``POST /embeddings``; without ``encoding_format``, base64 is asked for and decoded (as openai-python)."""
        params["input"] = input
        params["model"] = model
        decode = _default_encoding(params)
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
            params,
        )
        try:
            r = _model(CreateEmbeddingResponse, client._native.call("embeddings", _body(params), opts))
        except NativeError as e:
            raise _convert(e) from None
        return _then(r, decode) if decode else r  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------
# asyncio


def _resolve(done: List[Tuple[Any, bool, Any]]) -> None:
    for fut, ok, value in done:
        if fut.done():  # the awaiting task was cancelled
            if ok and isinstance(value, NativeStream):
                value.close()
            continue
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)


class _AsyncCaller:
    """Runs native async calls: one completion queue per event loop, watched with ``add_reader``."""

    def __init__(self) -> None:
        self._bridges: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _CompletionQueue]" = (
            weakref.WeakKeyDictionary()
        )
        self._last: Optional[Tuple[asyncio.AbstractEventLoop, _CompletionQueue]] = None

    def _completions(self, loop: asyncio.AbstractEventLoop) -> _CompletionQueue:
        last = self._last
        if last is not None and last[0] is loop:
            return last[1]
        c = self._bridges.get(loop)
        if c is None:
            c = _CompletionQueue()
            loop.add_reader(c.fileno(), lambda c=c: _resolve(c.drain()))  # type: ignore[misc]
            self._bridges[loop] = c
        self._last = (loop, c)
        return c

    async def call(
        self, start: Callable[..., Optional[CallHandle]], *args: Any, stream: Optional[NativeStream] = None
    ) -> Any:
        import asyncio  # imported on first use: `import routerkit` stays cheap for sync code

        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        try:
            handle = start(self._completions(loop), fut, *args)
        except NativeError as e:
            raise _convert(e) from None
        try:
            return await fut
        except asyncio.CancelledError:
            if stream is not None:
                stream.close()
            elif handle is not None:
                handle.cancel()
            raise
        except NativeError as e:
            if stream is not None and isinstance(e.args[0], dict) and e.args[0].get("kind") == "cancelled":
                raise _Cancelled() from None
            raise _convert(e) from None


_caller = _AsyncCaller()


class AsyncClient(_BaseClient):
    """The asyncio client: the same options and resources as ``Client``, with awaitable methods.
    Cancelling a task cancels its request (the connection is closed)."""

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        default_query: Optional[Mapping[str, object]] = None,
        connect_timeout: Optional[float] = None,
        deadline: Optional[float] = None,
        initial_retry_delay: Optional[float] = None,
        max_retry_delay: Optional[float] = None,
        tls_ca_cert: TlsCaCert = None,
        allow_insecure_http: bool = False,
        keepalive_timeout: Optional[float] = None,
        max_body_bytes: Optional[int] = None,
        fallback_models: Optional[Sequence[str]] = None,
        follow_gateway_fallbacks: Optional[bool] = None,
        fallback_on_status: Optional[Sequence[int]] = None,
        hedge_after: Optional[float] = None,
        on_receipt: Optional[Callable[[Receipt], Any]] = None,
        _parent: Optional[NativeClient] = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            connect_timeout=connect_timeout,
            deadline=deadline,
            initial_retry_delay=initial_retry_delay,
            max_retry_delay=max_retry_delay,
            tls_ca_cert=tls_ca_cert,
            allow_insecure_http=allow_insecure_http,
            keepalive_timeout=keepalive_timeout,
            max_body_bytes=max_body_bytes,
            fallback_models=fallback_models,
            follow_gateway_fallbacks=follow_gateway_fallbacks,
            fallback_on_status=fallback_on_status,
            hedge_after=hedge_after,
            on_receipt=on_receipt,
            _parent=_parent,
        )
        self.chat = AsyncChat(self)
        self.models = AsyncModels(self)
        self.embeddings = AsyncEmbeddings(self)
        self.completions = AsyncTextCompletions(self)
        self.moderations = AsyncModerations(self)
        self.responses = _responses.AsyncResponses(self)
        self.beta = AsyncBeta(self)

    def with_options(self, **options: Any) -> "AsyncClient":
        """A client with some options changed, sharing this one's connection pool."""
        return AsyncClient(**self._merged(options), _parent=self._native)

    copy = with_options

    async def close(self) -> None:
        self._native = _Closed()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.close()


class AsyncChat(_NestedRawResponses):
    def __init__(self, client: AsyncClient) -> None:
        self.completions = AsyncCompletions(client)


class AsyncBeta:
    """``client.beta`` on ``AsyncClient``."""

    def __init__(self, client: AsyncClient) -> None:
        self.chat = client.chat


class AsyncCompletions(_AsyncRawResponses):
    """``client.chat.completions`` on ``AsyncClient``."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        stream: Literal[True],
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> AsyncStream[ChatCompletionChunk]: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        stream: Optional[Literal[False]] = None,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> ChatCompletion: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        stream: bool,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Union[ChatCompletion, AsyncStream[ChatCompletionChunk]]: ...

    async def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        stream: Optional[bool] = None,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Union[ChatCompletion, AsyncStream[ChatCompletionChunk]]:
        params["model"] = model
        params["messages"] = messages
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
            params,
        )
        native = client._native
        if stream:
            # No helper events; read ahead (Python takes what is buffered, woken only when it ran dry).
            s = await _caller.call(
                native.open_async, "chat_stream", _body(params), ChatCompletionChunk, opts, False, True
            )
            return AsyncStream(s, _caller)
        return _model(ChatCompletion, await _caller.call(native.call_async, "chat", _body(params), opts))

    async def parse(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        response_format: Any = None,
        tools: Optional[Iterable[Any]] = None,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> ChatCompletion:
        """``await client.chat.completions.parse(...)``: as the sync ``parse``."""
        tool_list = list(tools) if tools is not None else None
        params.update(model=model, messages=messages, response_format=response_format, tools=tool_list)
        params.pop("stream", None)
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
        )
        body = _body(_parsing.chat_body(params))
        t = await _caller.call(client._native.call_async, "chat.parse", body, opts)
        return _parsing.finish_chat(_build(ChatCompletion, t), response_format, tool_list)  # type: ignore[no-any-return]

    def stream(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> AsyncChatCompletionStreamManager:
        """``async with client.chat.completions.stream(...) as stream:``."""
        params["model"] = model
        params["messages"] = messages
        params.pop("stream", None)
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
            params,
        )
        op, parsing = _stream_parsing(params)
        body = _body(params)

        async def start() -> NativeStream:
            return await _caller.call(client._native.open_async, op, body, ChatCompletionChunk, opts, True)  # type: ignore[no-any-return]

        return AsyncChatCompletionStreamManager(start, _caller, parsing)

    def run_tools(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        tools: Iterable[Any],
        stream: Optional[bool] = None,
        max_chat_completions: Optional[int] = None,
        tool_context: Any = NOT_GIVEN,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        **params: Any,
    ) -> AsyncChatCompletionRunner:
        """The tool runner on ``AsyncClient`` (see ``Completions.run_tools``): ``async for event in
        runner``, ``await runner.final_content()``; functions may be coroutines."""
        client = self._client
        opts = _options(client._default_query, extra_headers, extra_query, extra_body, timeout, max_retries, deadline)
        definitions, functions = _prepare_tools(list(tools))
        body = json.loads(_body({"model": model, "messages": list(messages), "tools": definitions, **params}))
        native = client._native

        async def plain(text: str) -> AsyncIterator[Any]:
            raw = await _caller.call(native.call_async, "chat", text, opts)
            yield raw[0].decode()

        async def streamed(text: str) -> AsyncIterator[Any]:
            ns = await _caller.call(native.open_async, "chat_stream", text, ChatCompletionChunk, opts, True)
            s = AsyncChatCompletionStream(ns, _caller)
            try:
                async for event in s:
                    yield event
                yield ns.final_json() or ""
            finally:
                await s.close()

        return AsyncChatCompletionRunner(
            body,
            functions,
            max_chat_completions,
            tool_context,
            not isinstance(tool_context, NotGiven),
            streamed if stream else plain,
            bool(stream),
        )


class _AsyncModelList:
    """``client.models.list()`` on ``AsyncClient``: await it, or ``async for`` over it."""

    def __init__(self, fetch: Callable[[], Any]) -> None:
        self._fetch = fetch

    def __await__(self) -> Generator[Any, None, ModelList]:
        return self._fetch().__await__()  # type: ignore[no-any-return]

    async def __aiter__(self) -> Any:
        page = await self._fetch()
        for m in page:
            yield m


class AsyncModels(_AsyncRawResponses):
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def list(
        self,
        *,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
    ) -> _AsyncModelList:
        client = self._client
        opts = _options(
            client._default_query, extra_headers, extra_query, None, timeout, max_retries, deadline, keepalive_timeout
        )

        async def fetch() -> ModelList:
            return _model(ModelList, await _caller.call(client._native.call_async, "models", None, opts))

        return _AsyncModelList(fetch)

    async def retrieve(
        self,
        model: str,
        *,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
    ) -> Model:
        client = self._client
        opts = _options(
            client._default_query, extra_headers, extra_query, None, timeout, max_retries, deadline, keepalive_timeout
        )
        raw = await _caller.call(client._native.call_async, "models.retrieve", _encode("model", {"id": model}), opts)
        return _model(Model, raw)


class AsyncEmbeddings(_AsyncRawResponses):
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(
        self,
        *,
        input: Any,
        model: str,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> CreateEmbeddingResponse:
        params["input"] = input
        params["model"] = model
        decode = _default_encoding(params)
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
            params,
        )
        raw = await _caller.call(client._native.call_async, "embeddings", _body(params), opts)
        r = _model(CreateEmbeddingResponse, raw)
        return _then(r, decode) if decode else r  # type: ignore[no-any-return]


class AsyncTextCompletions:
    """``client.completions`` on ``AsyncClient``."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @overload
    async def create(
        self,
        *,
        model: str,
        prompt: Any = NOT_GIVEN,
        stream: Literal[True],
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> AsyncStream[Completion]: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        prompt: Any = NOT_GIVEN,
        stream: Optional[Literal[False]] = None,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Completion: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        prompt: Any = NOT_GIVEN,
        stream: bool,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Union[Completion, AsyncStream[Completion]]: ...

    async def create(
        self,
        *,
        model: str,
        # Optional here so that the engine, which validates every language alike, names it when missing.
        prompt: Any = NOT_GIVEN,
        stream: Optional[bool] = None,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> Union[Completion, AsyncStream[Completion]]:
        params["model"] = model
        params["prompt"] = prompt
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
            params,
        )
        native = client._native
        if stream:
            # No helper events; read ahead (Python takes what is buffered, woken only when it ran dry).
            s = await _caller.call(
                native.open_async, "completions_stream", _body(params), Completion, opts, False, True
            )
            return AsyncStream(s, _caller)
        return _model(Completion, await _caller.call(native.call_async, "completions", _body(params), opts))


class AsyncModerations:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(
        self,
        *,
        input: Any,
        extra_headers: Optional[Mapping[str, Any]] = None,
        extra_query: Optional[Mapping[str, Any]] = None,
        extra_body: Optional[Mapping[str, Any]] = None,
        timeout: TimeoutTypes = None,
        max_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        keepalive_timeout: Optional[float] = None,
        **params: Any,
    ) -> ModerationCreateResponse:
        params["input"] = input
        client = self._client
        opts = _options(
            client._default_query,
            extra_headers,
            extra_query,
            extra_body,
            timeout,
            max_retries,
            deadline,
            keepalive_timeout,
            params,
        )
        raw = await _caller.call(client._native.call_async, "moderations", _body(params), opts)
        return _model(ModerationCreateResponse, raw)


OpenAI = Client
AsyncOpenAI = AsyncClient
