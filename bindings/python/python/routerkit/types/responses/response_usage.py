"""``openai.types.responses.response_usage``."""

from __future__ import annotations

from ..._responses import ResponseUsage

__all__ = ["ResponseUsage"]
