"""Light response objects: attribute access over the JSON, built in one pass.

No pydantic. The native decoder (``parse_json``, and the stream's chunks) turns the
JSON text straight into these objects: each object's ``__dict__`` is its fields, and a
nested object is an instance of the class its parent's ``_fields`` names (plain
``BaseModel`` otherwise), built then, not on first access. Fields the type knows but
the gateway left out read as ``None`` (as openai-python's optional fields do); fields
the gateway added (``reasoning``, ``provider``…) are readable too.
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

from ._receipt import Receipt
from ._routerkit import set_classes as _set_classes


class BaseModel:
    """A JSON object with attribute access; ``model_dump()``/``to_dict()`` give plain dicts back.

    The native decoder builds these without running ``__init__``: the object's
    ``__dict__`` is its fields, so reading a field is a plain attribute lookup.
    A field the gateway left out reads as ``None``.
    """

    # field name -> class of the value (or of each list item); read by the native decoder
    _fields: ClassVar[Dict[str, Optional[type]]] = {}

    def __init__(self, data: Optional[Dict[str, Any]] = None, **fields: Any) -> None:
        d = data if data is not None else fields
        for k, v in d.items():
            self.__dict__[k] = _build(v, self._fields.get(k))

    @classmethod
    def construct(cls, **fields: Any) -> Any:
        return cls(fields)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not fields: absent optional fields read as None.
        if name.startswith("_"):
            if name in ("_request_id", "_attempts", "_headers", "_receipt"):
                return None
            raise AttributeError(name)
        return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BaseModel):
            return type(self) is type(other) and self.__dict__ == other.__dict__
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({parts})"

    def __dir__(self) -> List[str]:
        return sorted(set(self._fields) | set(self.__dict__) | set(object.__dir__(self)))

    def __contains__(self, key: str) -> bool:
        return key in self.__dict__

    def __getitem__(self, key: str) -> Any:
        """Dict-style access for code that treated responses as dicts."""
        return self.__dict__[key]

    def to_dict(self) -> Dict[str, Any]:
        """The object as a plain dict (a deep copy)."""
        return _plain(self)  # type: ignore[no-any-return]

    def model_dump(self, *, exclude_none: bool = False, **_: Any) -> Dict[str, Any]:
        """openai-python's ``model_dump()``: the object as a plain dict."""
        d = _plain(self)
        return _drop_none(d) if exclude_none else d  # type: ignore[no-any-return]

    def model_dump_json(self, *, indent: Optional[int] = None, exclude_none: bool = False, **_: Any) -> str:
        """openai-python's ``model_dump_json()``."""
        data = _drop_none(_plain(self)) if exclude_none else self
        return json.dumps(data, indent=indent, ensure_ascii=False, default=_json_default)

    def to_json(self, *, indent: Optional[int] = 2) -> str:
        return json.dumps(self, indent=indent, ensure_ascii=False, default=_json_default)


def _build(value: Any, cls: Optional[type]) -> Any:
    """Plain JSON data → objects (for objects built in Python: ``ChatCompletion({...})``, pickles)."""
    if isinstance(value, dict):
        return (cls or BaseModel)(value)
    if isinstance(value, list):
        return [_build(v, cls) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {k: _plain(v) for k, v in value.__dict__.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _drop_none(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _drop_none(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_drop_none(x) for x in v]
    return v


def _json_default(o: Any) -> Any:
    """``json.dumps`` hook: our objects, pydantic-style objects, iterables."""
    if isinstance(o, BaseModel):
        return o.__dict__
    dump = getattr(o, "model_dump", None)
    if callable(dump):
        return dump()
    if isinstance(o, (set, frozenset, tuple)) or hasattr(o, "__iter__"):
        return list(o)
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


class _Response(BaseModel):
    """A top-level result: also carries ``_request_id``, ``_attempts``, ``_headers`` and the route receipt."""

    __slots__ = ("_request_id", "_attempts", "_headers", "_receipt")

    @property
    def receipt(self) -> Optional["Receipt"]:
        """The route receipt: models asked and served, provider, gateway ids, attempts, timings, usage and cost."""
        r = self._receipt
        if r is not None and not isinstance(r, Receipt):
            # Kept as the engine's receipt (or its JSON text) until first read: most callers never look.
            r = Receipt._from_json(r)
            object.__setattr__(self, "_receipt", r)
        return r  # type: ignore[no-any-return]


class Function(BaseModel):
    _fields = {"name": None, "arguments": None}
    name: str
    arguments: str


class ChatCompletionMessageToolCall(BaseModel):
    _fields = {"id": None, "type": None, "function": Function}
    id: str
    type: str
    function: Function


class CompletionUsage(BaseModel):
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
    _fields = {"index": None, "message": ChatCompletionMessage, "finish_reason": None, "logprobs": BaseModel}
    index: int
    message: ChatCompletionMessage
    finish_reason: Optional[str]


class ChatCompletion(_Response):
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
    _fields = {"name": None, "arguments": None}
    name: Optional[str]
    arguments: Optional[str]


class ChoiceDeltaToolCall(BaseModel):
    _fields = {"index": None, "id": None, "type": None, "function": ChoiceDeltaToolCallFunction}
    index: int
    id: Optional[str]
    type: Optional[str]
    function: Optional[ChoiceDeltaToolCallFunction]


class ChoiceDelta(BaseModel):
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
    _fields = {"index": None, "delta": ChoiceDelta, "finish_reason": None, "logprobs": BaseModel}
    index: int
    delta: ChoiceDelta
    finish_reason: Optional[str]


class ChatCompletionChunk(BaseModel):
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
    _fields = {"id": None, "object": None, "created": None, "owned_by": None}
    id: str
    object: str
    created: int
    owned_by: str


class ModelList(_Response):
    """``client.models.list()``: iterable over the models, like openai-python's page."""

    _fields = {"object": None, "data": Model}
    object: str
    data: List[Model]

    def __iter__(self) -> Iterator[Model]:
        return iter(self.data or [])

    def __len__(self) -> int:
        return len(self.data or [])


class Embedding(BaseModel):
    _fields = {"object": None, "index": None, "embedding": None}
    object: str
    index: int
    embedding: List[float]


class CreateEmbeddingResponse(_Response):
    _fields = {"object": None, "data": Embedding, "model": None, "usage": CompletionUsage}
    object: str
    data: List[Embedding]
    model: str
    usage: Optional[CompletionUsage]


_set_classes(BaseModel, ChatCompletionChunk)


class CompletionChoice(BaseModel):
    _fields = {"index": None, "text": None, "finish_reason": None, "logprobs": BaseModel}
    index: int
    text: str
    finish_reason: Optional[str]


class Completion(_Response):
    """``client.completions.create(...)`` (legacy completions), and each chunk of its stream."""

    _fields = {
        "id": None,
        "object": None,
        "created": None,
        "model": None,
        "choices": CompletionChoice,
        "usage": CompletionUsage,
        "system_fingerprint": None,
    }
    id: str
    object: str
    created: int
    model: str
    choices: List[CompletionChoice]
    usage: Optional[CompletionUsage]


class Moderation(BaseModel):
    _fields = {"flagged": None, "categories": BaseModel, "category_scores": BaseModel}
    flagged: bool


class ModerationCreateResponse(_Response):
    _fields = {"id": None, "model": None, "results": Moderation}
    id: str
    model: str
    results: List[Moderation]
