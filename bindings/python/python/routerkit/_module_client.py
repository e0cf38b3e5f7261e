"""openai-python's module-level client: ``routerkit.api_key = …`` then ``routerkit.chat.completions.create(…)``.

The settings are the package's module attributes (``api_key``, ``base_url``, ``timeout``,
``max_retries``, ``default_headers``, ``default_query``, ``organization``, ``project``). The
client is made on first use and made again when a setting has changed since, so that a
setting assigned later takes effect as it does with openai-python (whose client reads them on
every request).
"""

from __future__ import annotations

import threading
from typing import Any, Optional, Tuple, cast

from ._client import Chat, Client, Embeddings, Models

__all__ = ["chat", "models", "embeddings", "completions", "moderations"]

_lock = threading.Lock()
_state: Optional[Tuple[Tuple[Any, ...], Client]] = None


def _settings() -> Tuple[Any, ...]:
    import routerkit as sdk

    headers = dict(sdk.default_headers or {})
    if sdk.organization is not None:
        headers.setdefault("OpenAI-Organization", sdk.organization)
    if sdk.project is not None:
        headers.setdefault("OpenAI-Project", sdk.project)
    return (
        sdk.api_key,
        None if sdk.base_url is None else str(sdk.base_url),
        sdk.timeout,
        sdk.max_retries,
        tuple(headers.items()),
        tuple(dict(sdk.default_query or {}).items()),
    )


def _load_client() -> Client:
    """The module's client for the current settings."""
    global _state
    settings = _settings()
    with _lock:
        if _state is None or _state[0] != settings:
            api_key, base_url, timeout, max_retries, headers, query = settings
            client = Client(
                api_key=api_key,
                base_url=base_url,
                timeout=timeout,
                max_retries=max_retries,
                default_headers=dict(headers) or None,
                default_query=dict(query) or None,
            )
            _state = (settings, client)
        return _state[1]


def _reset_client() -> None:
    global _state
    with _lock:
        _state = None


class _Proxy:
    """A resource of the module's client, looked up on each use."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            # Introspection (copy, pickle, stubtest) does not make the client.
            raise AttributeError(attr)
        return getattr(getattr(_load_client(), self._name), attr)

    def __repr__(self) -> str:
        return f"<routerkit.{self._name} of the module client>"


# Typed as the client's resources: the proxies forward every attribute to them.
chat = cast(Chat, _Proxy("chat"))
models = cast(Models, _Proxy("models"))
embeddings = cast(Embeddings, _Proxy("embeddings"))
# Resources the client may not have yet: the proxy finds them on the client when they are there.
completions: Any = _Proxy("completions")
moderations: Any = _Proxy("moderations")
