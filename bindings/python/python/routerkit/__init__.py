"""routerkit: an OpenAI-compatible gateway client on a native Rust engine.

Code written for openai-python keeps working when ``from openai import …``
becomes ``from routerkit import …``::

    from routerkit import OpenAI
    client = OpenAI(base_url="https://api.therouter.ai/v1")   # key from THEROUTER_API_KEY or .env
    r = client.chat.completions.create(model="openai/gpt-4.1", messages=[{"role": "user", "content": "hi"}])
    print(r.choices[0].message.content)
"""

import json as _json
import typing as _t

from ._client import NOT_GIVEN, AsyncClient, AsyncOpenAI, Client, NotGiven, Omit, OpenAI, Timeout, omit
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContentFilterFinishReasonError,
    InternalServerError,
    InvalidRequestError,
    LengthFinishReasonError,
    NotFoundError,
    OpenAIError,
    OutputValidationError,
    PermissionDeniedError,
    RateLimitError,
    RouterkitError,
    UnprocessableEntityError,
)
from ._module_client import chat as chat
from ._module_client import completions as completions
from ._module_client import embeddings as embeddings
from ._module_client import models as models
from ._module_client import moderations as moderations
from ._parsing import pydantic_function_tool
from ._receipt import Receipt, ReceiptAttempt, ReceiptFallback, ReceiptHedge
from ._response import APIResponse, AsyncAPIResponse, LegacyAPIResponse
from ._responses import AsyncResponseStream, ResponseStream
from ._routerkit import __version__
from ._routerkit import default_settings as _default_settings
from ._streaming import (
    AsyncChatCompletionStream,
    AsyncChatCompletionStreamManager,
    AsyncStream,
    ChatCompletionStream,
    ChatCompletionStreamManager,
    Stream,
)
from ._tool_runner import AsyncChatCompletionRunner, ChatCompletionRunner
from ._types import BaseModel

# The module-level client's settings, as openai-python's (`routerkit.api_key = "…"`, then
# `routerkit.chat.completions.create(...)`); None: from the environment / `.env`, as a client's.
api_key: _t.Optional[str] = None
base_url: _t.Optional[str] = None
timeout: _t.Optional[float] = None
max_retries: int = _json.loads(_default_settings())["max_retries"]
default_headers: _t.Optional[_t.Mapping[str, str]] = None
default_query: _t.Optional[_t.Mapping[str, object]] = None
organization: _t.Optional[str] = None
project: _t.Optional[str] = None

# openai-python's constants: the defaults a client starts from, read from the core (not restated).
_DEFAULTS = _json.loads(_default_settings())
DEFAULT_TIMEOUT = Timeout(_DEFAULTS["timeout_ms"] / 1000.0, connect=_DEFAULTS["connect_timeout_ms"] / 1000.0)
DEFAULT_MAX_RETRIES: int = _DEFAULTS["max_retries"]
not_given = NOT_GIVEN
VERSION = __version__


if _t.TYPE_CHECKING:
    from . import types as types
else:

    def __getattr__(name: str) -> _t.Any:
        # `routerkit.types` (openai-python's type modules, ~100 of them) is imported on first
        # use, not by `import routerkit`: it was a third of the import's time. Type checkers
        # see the plain import above (a module __getattr__ would make every unknown name Any).
        if name == "types":
            import importlib

            return importlib.import_module(".types", __name__)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "__version__",
    "Receipt",
    "ReceiptAttempt",
    "ReceiptFallback",
    "ReceiptHedge",
    "Client",
    "AsyncClient",
    "OpenAI",
    "AsyncOpenAI",
    "Timeout",
    "NOT_GIVEN",
    "NotGiven",
    "Omit",
    "omit",
    "Stream",
    "AsyncStream",
    "ChatCompletionStream",
    "AsyncChatCompletionStream",
    "ChatCompletionStreamManager",
    "AsyncChatCompletionStreamManager",
    "ChatCompletionRunner",
    "AsyncChatCompletionRunner",
    "ResponseStream",
    "AsyncResponseStream",
    "BaseModel",
    "types",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "not_given",
    "VERSION",
    "LegacyAPIResponse",
    "APIResponse",
    "AsyncAPIResponse",
    "OpenAIError",
    "RouterkitError",
    "APIError",
    "APIStatusError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStreamError",
    "APIResponseValidationError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "InvalidRequestError",
    "LengthFinishReasonError",
    "ContentFilterFinishReasonError",
    "OutputValidationError",
    "pydantic_function_tool",
]
