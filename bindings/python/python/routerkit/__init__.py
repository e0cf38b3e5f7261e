"""routerkit: an OpenAI-compatible gateway client on a native Rust engine.

Code written for openai-python keeps working when ``from openai import …``
becomes ``from routerkit import …``::

    from routerkit import OpenAI
    client = OpenAI(base_url="https://api.therouter.ai/v1")   # key from THEROUTER_API_KEY or .env
    r = client.chat.completions.create(model="openai/gpt-4.1", messages=[{"role": "user", "content": "hi"}])
    print(r.choices[0].message.content)
"""

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
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    OpenAIError,
    PermissionDeniedError,
    RateLimitError,
    RouterkitError,
    UnprocessableEntityError,
)
from ._routerkit import __version__
from ._streaming import (
    AsyncChatCompletionStream,
    AsyncChatCompletionStreamManager,
    AsyncStream,
    ChatCompletionStream,
    ChatCompletionStreamManager,
    Stream,
)
from ._responses import AsyncResponseStream, ResponseStream
from ._types import BaseModel

__all__ = [
    "__version__",
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
    "ResponseStream",
    "AsyncResponseStream",
    "BaseModel",
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
]
