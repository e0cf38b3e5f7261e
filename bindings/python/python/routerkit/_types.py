"""Light response objects: attribute access over the parsed JSON, built lazily.

No pydantic. An object holds the dict ``json.loads`` produced; nested objects and
lists are wrapped on first access and cached. Fields the type knows but the
gateway left out read as ``None`` (as openai-python's optional fields do);
fields the gateway added (``reasoning``, ``provider``…) are readable too.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Dict, Iterator, List, Optional

__all__ = [
    "BaseModel",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionMessageToolCall",
    "Choice",
    "ChunkChoice",
    "ChoiceDelta",
    "ChoiceDeltaToolCall",
    "ChoiceDeltaToolCallFunction",
    "Function",
    "CompletionUsage",
    "Model",
    "ModelList",
    "Embedding",
    "CreateEmbeddingResponse",
]

_MISSING = object()


class BaseModel:
    """A JSON object with attribute access. ``model_dump()``/``to_dict()`` give the dict back."""

    __slots__ = ("_data", "_cache", "_request_id", "_attempts", "_headers")

    # field name -> class of the value (or of each list item), None for plain values
    _fields: ClassVar[Dict[str, Optional[type]]] = {}

    def __init__(self, data: Optional[Dict[str, Any]] = None, **fields: Any) -> None:
        object.__setattr__(self, "_data", data if data is not None else fields)
        object.__setattr__(self, "_cache", None)

    @classmethod
    def construct(cls, **fields: Any) -> Any:
        return cls(fields)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            if name in ("_request_id", "_attempts", "_headers"):
                return None
            raise AttributeError(name)
        cache = self._cache
        if cache is not None and name in cache:
            return cache[name]
        value = self._data.get(name, _MISSING)
        if value is _MISSING:
            if name in self._fields:
                return None
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if isinstance(value, (dict, list)):
            value = _wrap(value, self._fields.get(name))
            if cache is None:
                cache = {}
                object.__setattr__(self, "_cache", cache)
            cache[name] = value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("_request_id", "_attempts", "_headers"):
            object.__setattr__(self, name, value)
            return
        self._data[name] = _unwrap(value)
        if self._cache is not None:
            self._cache.pop(name, None)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BaseModel):
            return type(self) is type(other) and self._data == other._data
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = []
        for k, v in self._data.items():
            parts.append(f"{k}={getattr(self, k)!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __dir__(self) -> List[str]:
        return sorted(set(self._fields) | set(self._data) | set(object.__dir__(self)))

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def __getitem__(self, key: str) -> Any:
        """Dict-style access for code that treated responses as dicts."""
        return getattr(self, key)

    def to_dict(self) -> Dict[str, Any]:
        """The object as a plain dict (a copy)."""
        return json.loads(json.dumps(self._data))  # type: ignore[no-any-return]

    def model_dump(self, *, exclude_none: bool = False, **_: Any) -> Dict[str, Any]:
        """openai-python's ``model_dump()``: the object as a plain dict."""
        d = self.to_dict()
        return _drop_none(d) if exclude_none else d

    def model_dump_json(self, *, indent: Optional[int] = None, exclude_none: bool = False, **_: Any) -> str:
        """openai-python's ``model_dump_json()``."""
        data = _drop_none(self.to_dict()) if exclude_none else self._data
        return json.dumps(data, indent=indent, ensure_ascii=False)

    def to_json(self, *, indent: Optional[int] = 2) -> str:
        return json.dumps(self._data, indent=indent, ensure_ascii=False)

    # pickling / copying: the dict is the state
    def __getstate__(self) -> Dict[str, Any]:
        return self._data

    def __setstate__(self, state: Dict[str, Any]) -> None:
        object.__setattr__(self, "_data", state)
        object.__setattr__(self, "_cache", None)


def _drop_none(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _drop_none(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_drop_none(x) for x in v]
    return v


def _wrap(value: Any, cls: Optional[type]) -> Any:
    if isinstance(value, dict):
        return (cls or BaseModel)(value)
    if isinstance(value, list):
        return [_wrap(v, cls) if isinstance(v, (dict, list)) else v for v in value]
    return value


def _unwrap(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value._data
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _json_default(o: Any) -> Any:
    """``json.dumps`` hook: our objects, pydantic-style objects, iterables."""
    if isinstance(o, BaseModel):
        return o._data
    dump = getattr(o, "model_dump", None)
    if callable(dump):
        return dump()
    if isinstance(o, (set, frozenset, tuple)) or hasattr(o, "__iter__"):
        return list(o)
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


class Function(BaseModel):
    __slots__ = ()
    _fields = {"name": None, "arguments": None}
    name: str
    arguments: str


class ChatCompletionMessageToolCall(BaseModel):
    __slots__ = ()
    _fields = {"id": None, "type": None, "function": Function}
    id: str
    type: str
    function: Function


class CompletionUsage(BaseModel):
    __slots__ = ()
    _fields = {
        "prompt_tokens": None,
        "completion_tokens": None,
        "total_tokens": None,
        "prompt_tokens_details": BaseModel,
        "completion_tokens_details": BaseModel,
        "cost": None,
    }
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletionMessage(BaseModel):
    __slots__ = ()
    _fields = {
        "role": None,
        "content": None,
        "refusal": None,
        "tool_calls": ChatCompletionMessageToolCall,
        "function_call": Function,
        "reasoning": None,
        "reasoning_content": None,
        "reasoning_details": None,
        "annotations": None,
        "audio": None,
    }
    role: str
    content: Optional[str]
    refusal: Optional[str]
    tool_calls: Optional[List[ChatCompletionMessageToolCall]]
    reasoning: Optional[str]
    reasoning_content: Optional[str]


class Choice(BaseModel):
    __slots__ = ()
    _fields = {"index": None, "message": ChatCompletionMessage, "finish_reason": None, "logprobs": BaseModel}
    index: int
    message: ChatCompletionMessage
    finish_reason: Optional[str]


class ChatCompletion(BaseModel):
    __slots__ = ()
    _fields = {
        "id": None,
        "object": None,
        "created": None,
        "model": None,
        "choices": Choice,
        "usage": CompletionUsage,
        "system_fingerprint": None,
        "service_tier": None,
        "provider": None,
    }
    id: str
    object: str
    created: int
    model: str
    choices: List[Choice]
    usage: Optional[CompletionUsage]


class ChoiceDeltaToolCallFunction(BaseModel):
    __slots__ = ()
    _fields = {"name": None, "arguments": None}
    name: Optional[str]
    arguments: Optional[str]


class ChoiceDeltaToolCall(BaseModel):
    __slots__ = ()
    _fields = {"index": None, "id": None, "type": None, "function": ChoiceDeltaToolCallFunction}
    index: int
    id: Optional[str]
    type: Optional[str]
    function: Optional[ChoiceDeltaToolCallFunction]


class ChoiceDelta(BaseModel):
    __slots__ = ()
    _fields = {
        "role": None,
        "content": None,
        "refusal": None,
        "tool_calls": ChoiceDeltaToolCall,
        "function_call": ChoiceDeltaToolCallFunction,
        "reasoning": None,
        "reasoning_content": None,
        "reasoning_details": None,
    }
    role: Optional[str]
    content: Optional[str]
    refusal: Optional[str]
    tool_calls: Optional[List[ChoiceDeltaToolCall]]
    reasoning: Optional[str]
    reasoning_content: Optional[str]


class ChunkChoice(BaseModel):
    __slots__ = ()
    _fields = {"index": None, "delta": ChoiceDelta, "finish_reason": None, "logprobs": BaseModel}
    index: int
    delta: ChoiceDelta
    finish_reason: Optional[str]


class ChatCompletionChunk(BaseModel):
    __slots__ = ()
    _fields = {
        "id": None,
        "object": None,
        "created": None,
        "model": None,
        "choices": ChunkChoice,
        "usage": CompletionUsage,
        "system_fingerprint": None,
        "service_tier": None,
        "provider": None,
    }
    id: str
    object: str
    created: int
    model: str
    choices: List[ChunkChoice]
    usage: Optional[CompletionUsage]


class Model(BaseModel):
    __slots__ = ()
    _fields = {"id": None, "object": None, "created": None, "owned_by": None}
    id: str
    object: str
    created: int
    owned_by: str


class ModelList(BaseModel):
    """``client.models.list()``: iterable over the models, like openai-python's page."""

    __slots__ = ()
    _fields = {"object": None, "data": Model}
    object: str
    data: List[Model]

    def __iter__(self) -> Iterator[Model]:  # type: ignore[override]
        return iter(self.data or [])

    def __len__(self) -> int:
        return len(self.data or [])


class Embedding(BaseModel):
    __slots__ = ()
    _fields = {"object": None, "index": None, "embedding": None}
    object: str
    index: int
    embedding: List[float]


class CreateEmbeddingResponse(BaseModel):
    __slots__ = ()
    _fields = {"object": None, "data": Embedding, "model": None, "usage": CompletionUsage}
    object: str
    data: List[Embedding]
    model: str
    usage: Optional[CompletionUsage]
