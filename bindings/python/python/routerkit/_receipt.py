"""The route receipt: which model and provider served a call, under which gateway ids, after which
attempts, how long it took and what it cost (``response.receipt``, ``stream.receipt``,
``err.receipt``, and the client's ``on_receipt=`` hook).

The core builds it (``routerkit::Receipt``) and hands it over as its wire form's JSON text; this
class is a typed view of that object, parsed only when first read.
"""

import json
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["Receipt", "ReceiptAttempt", "ReceiptFallback", "ReceiptHedge"]


class ReceiptAttempt:
    """One attempt of a call."""

    __slots__ = ("model", "status", "error", "delay_ms", "delay_reason", "hedge")

    def __init__(self, d: Dict[str, Any]) -> None:
        self.model: Optional[str] = d.get("model")
        """The model this attempt asked for."""
        self.status: Optional[int] = d.get("status")
        """The HTTP status it got, when a response arrived."""
        self.error: Optional[str] = d.get("error")
        """How it failed (``status``, ``connection``, ``timeout``, ``stream``, ``cancelled``, …);
        None for the attempt that answered."""
        self.delay_ms: float = float(d.get("delay_ms") or 0.0)
        """The delay waited before this attempt."""
        self.delay_reason: Optional[str] = d.get("delay_reason")
        """Why: ``retry_after`` (the server's header), ``backoff``, ``gateway_hint``; None for the first."""
        self.hedge: bool = bool(d.get("hedge"))
        """Started as a hedge beside a slow attempt."""

    def __repr__(self) -> str:
        return (
            f"ReceiptAttempt(model={self.model!r}, status={self.status!r}, error={self.error!r}, "
            f"delay_ms={self.delay_ms!r}, delay_reason={self.delay_reason!r})"
        )


class ReceiptFallback:
    """The client-side fallback chain's part: whether it fired and which model answered."""

    __slots__ = ("fired", "model")

    def __init__(self, d: Dict[str, Any]) -> None:
        self.fired: bool = bool(d.get("fired"))
        self.model: Optional[str] = d.get("model")

    def __repr__(self) -> str:
        return f"ReceiptFallback(fired={self.fired!r}, model={self.model!r})"


class ReceiptHedge:
    """A hedged stream's part: whether a hedge started, the model handed over, whether the hedge won."""

    __slots__ = ("fired", "model", "hedge_won")

    def __init__(self, d: Dict[str, Any]) -> None:
        self.fired: bool = bool(d.get("fired"))
        self.model: Optional[str] = d.get("model")
        self.hedge_won: bool = bool(d.get("hedge_won"))

    def __repr__(self) -> str:
        return f"ReceiptHedge(fired={self.fired!r}, model={self.model!r}, hedge_won={self.hedge_won!r})"


class Receipt:
    """The route receipt of one call. Durations are in milliseconds. Never holds the key."""

    __slots__ = (
        "model_requested",
        "model",
        "provider",
        "request_id",
        "generation_id",
        "gateway_headers",
        "cache_status",
        "attempts",
        "fallback",
        "hedge",
        "time_to_first_byte_ms",
        "time_to_first_token_ms",
        "total_time_ms",
        "input_tokens",
        "output_tokens",
        "usage",
        "cost",
        "cost_details",
        "complete",
    )

    def __init__(self, d: Dict[str, Any]) -> None:
        self.model_requested: Optional[str] = d.get("model_requested")
        """The ``model`` the request asked for."""
        self.model: Optional[str] = d.get("model")
        """The model that served (the body's or first chunk's ``model``)."""
        self.provider: Optional[str] = d.get("provider")
        """The provider that served (OpenRouter's ``provider``, TheRouter's ``x-router-provider``)."""
        self.request_id: Optional[str] = d.get("request_id")
        self.generation_id: Optional[str] = d.get("generation_id")
        self.gateway_headers: List[Tuple[str, str]] = [tuple(p) for p in d.get("gateway_headers") or []]  # type: ignore[misc]
        """LiteLLM's ``x-litellm-*``, TheRouter's ``x-router-*``, OpenRouter's ``x-openrouter-*`` headers."""
        self.cache_status: Optional[str] = d.get("cache_status")
        self.attempts: List[ReceiptAttempt] = [ReceiptAttempt(a) for a in d.get("attempts") or []]
        self.fallback = ReceiptFallback(d.get("fallback") or {})
        self.hedge = ReceiptHedge(d.get("hedge") or {})
        self.time_to_first_byte_ms: Optional[float] = d.get("time_to_first_byte_ms")
        self.time_to_first_token_ms: Optional[float] = d.get("time_to_first_token_ms")
        """Streams: from the call to the first event."""
        self.total_time_ms: Optional[float] = d.get("total_time_ms")
        self.input_tokens: Optional[int] = d.get("input_tokens")
        self.output_tokens: Optional[int] = d.get("output_tokens")
        self.usage: Optional[Dict[str, Any]] = d.get("usage")
        """The usage object as the gateway sent it."""
        self.cost: Optional[float] = d.get("cost")
        """``usage.cost`` (OpenRouter), else LiteLLM's ``x-litellm-response-cost``."""
        self.cost_details: Optional[Dict[str, Any]] = d.get("cost_details")
        self.complete: bool = bool(d.get("complete"))
        """The call has ended; a stream's receipt grows until then."""

    @classmethod
    def _from_json(cls, text: Any) -> Optional["Receipt"]:
        # `text`: the JSON text, or a call's `_routerkit.NativeReceipt`.
        if text is not None and not isinstance(text, str):
            text = text.json()  # a call's receipt, written by the engine on this first read
        return cls(json.loads(text)) if text else None

    def to_dict(self) -> Dict[str, Any]:
        """The receipt as a plain dict, in the core's wire names."""
        out: Dict[str, Any] = {}
        for k in self.__slots__:
            v = getattr(self, k)
            if isinstance(v, list) and k == "attempts":
                v = [{s: getattr(a, s) for s in a.__slots__} for a in v]
            elif isinstance(v, (ReceiptFallback, ReceiptHedge)):
                v = {s: getattr(v, s) for s in v.__slots__}
            elif k == "gateway_headers":
                v = [list(p) for p in v]
            out[k] = v
        return out

    def __repr__(self) -> str:
        return (
            f"Receipt(model={self.model!r}, provider={self.provider!r}, attempts={len(self.attempts)}, "
            f"total_time_ms={self.total_time_ms!r}, complete={self.complete!r})"
        )


def _hook(user: Callable[[Receipt], Any]) -> Callable[[str], None]:
    """What the core calls (with the receipt's JSON text) for the user's ``on_receipt``."""

    def call(text: str) -> None:
        receipt = Receipt._from_json(text)
        if receipt is not None:
            user(receipt)

    return call
