"""``openai.types.responses.response``."""

from __future__ import annotations

from ..._responses import Response

__all__ = ["Response"]
