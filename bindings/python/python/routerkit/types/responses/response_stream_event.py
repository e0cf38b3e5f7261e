"""``openai.types.responses.response_stream_event``."""

from __future__ import annotations

from ..._responses import ResponseStreamEvent

__all__ = ["ResponseStreamEvent"]
