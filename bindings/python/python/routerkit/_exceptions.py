"""Exceptions named and nested as in openai-python, plus routerkit's extras.

The native module raises one ``NativeError`` carrying the core error's fields;
``_convert`` picks the class for its kind (and status) from a table.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple, Type

from ._receipt import Receipt

__all__ = [
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


class Headers(Mapping[str, str]):
    """Response headers: case-insensitive lookup, names lower-cased, repeated names joined by ", "."""

    __slots__ = ("_items", "_map")

    def __init__(self, items: Optional[List[Tuple[str, str]]] = None) -> None:
        self._items: List[Tuple[str, str]] = list(items or [])
        m: Dict[str, str] = {}
        for k, v in self._items:
            k = k.lower()
            m[k] = f"{m[k]}, {v}" if k in m else v
        self._map = m

    def __getitem__(self, key: str) -> str:
        return self._map[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._map

    def __iter__(self) -> Any:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def get_list(self, key: str) -> List[str]:
        """Every value of a repeated header, in arrival order."""
        key = key.lower()
        return [v for k, v in self._items if k.lower() == key]

    def __repr__(self) -> str:
        return f"Headers({self._map!r})"


class Response:
    """What is known of the HTTP response behind an error (openai-python's ``e.response``, light)."""

    __slots__ = ("status_code", "headers", "request_id")

    def __init__(self, status_code: Optional[int], headers: Headers, request_id: Optional[str]) -> None:
        self.status_code = status_code
        self.headers = headers
        self.request_id = request_id

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"


class OpenAIError(Exception):
    """Base of every error this package raises (the name openai-python code catches)."""


RouterkitError = OpenAIError


class InvalidRequestError(OpenAIError, ValueError, TypeError):
    """The caller's input or configuration is invalid; nothing was sent. ``param`` names the field."""

    param: Optional[str]

    def __init__(self, message: str, *, param: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class APIError(OpenAIError):
    """An error from the gateway or the connection to it."""

    message: str
    body: Optional[object]
    code: Optional[str]
    param: Optional[str]
    type: Optional[str]
    request_id: Optional[str]
    retry_after: Optional[float]
    attempts: int
    status_code: Optional[int]
    response: Response
    receipt: Optional[Receipt]
    """The route receipt of the call that failed: its attempts, delays and timings (None when nothing was sent)."""

    def __init__(self, message: str, request: Any = None, *, body: Optional[object] = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        self.code = self.param = self.type = None
        if isinstance(body, dict):
            self.code = body.get("code")
            self.param = body.get("param")
            self.type = body.get("type")
        self.request_id = None
        self.retry_after = None
        self.attempts = 0
        self.receipt = None
        self.status_code = None
        self.response = Response(None, Headers(), None)

    def __str__(self) -> str:
        return self.message


class APIStatusError(APIError):
    """The gateway answered with an HTTP status >= 400."""


class BadRequestError(APIStatusError):
    """400"""


class AuthenticationError(APIStatusError):
    """401"""


class PermissionDeniedError(APIStatusError):
    """403"""


class NotFoundError(APIStatusError):
    """404"""


class ConflictError(APIStatusError):
    """409"""


class UnprocessableEntityError(APIStatusError):
    """422"""


class RateLimitError(APIStatusError):
    """429"""


class InternalServerError(APIStatusError):
    """>= 500"""


class APIConnectionError(APIError):
    """The connection could not be made, or broke."""

    def __init__(
        self, message: str = "Connection error.", request: Any = None, *, body: Optional[object] = None
    ) -> None:
        super().__init__(message, request, body=body)


class APITimeoutError(APIConnectionError):
    """A timeout: connect, waiting for the response, idle between stream events, or the deadline."""

    def __init__(
        self, message: str = "Request timed out.", request: Any = None, *, body: Optional[object] = None
    ) -> None:
        super().__init__(message, request, body=body)


class APIStreamError(APIError):
    """An error inside a 200 stream (an ``error`` event or chunk), or a stream cut short."""


class APIResponseValidationError(APIError):
    """A response body that is not the JSON it should be."""


_STATUS: Dict[int, Type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

# Kinds handled before _KIND is consulted.
_BY_FIELDS = ("invalid_request", "status")

_KIND: Dict[str, Type[APIError]] = {
    "connection": APIConnectionError,
    "timeout": APITimeoutError,
    "stream": APIStreamError,
    "decode": APIResponseValidationError,
    # Cancellation surfaces as the language's idiom (KeyboardInterrupt, CancelledError,
    # a stream that stops); should it reach here, it is a connection that was closed.
    "cancelled": APIConnectionError,
}


def _convert(err: BaseException) -> BaseException:
    """``NativeError`` → the public class for its kind; anything else unchanged."""
    if not err.args or not isinstance(err.args[0], dict):
        return err
    f: Dict[str, Any] = err.args[0]
    kind = f["kind"]
    message = f["message"]
    if kind == "invalid_request":
        return InvalidRequestError(message, param=f["field"])
    status = f["status"]
    body = f["body"]
    cls: Type[APIError]
    if kind == "status" and status is not None:
        cls = _STATUS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
        message = f"Error code: {status} - {message}"
    else:
        # A kind missing from _KIND fails test_every_core_error_kind_is_mapped.
        cls = _KIND.get(kind, APIError)
        if kind == "stream" and f["code"] is not None:
            message = f"{message} (code {f['code']})"
    e = cls(message, body=body)
    e.code = f["code"]
    e.type = f["type"]
    e.param = f["param"]
    e.status_code = status
    e.request_id = f["request_id"]
    e.retry_after = f["retry_after_ms"] / 1000.0 if f["retry_after_ms"] is not None else None
    e.attempts = f["attempts"]
    e.receipt = Receipt(f["receipt"]) if f.get("receipt") else None
    e.response = Response(status, Headers(f["headers"]), f["request_id"])
    return e
