"""``openai.types.moderation_create_response``."""

from __future__ import annotations

from .._types import ModerationCreateResponse

__all__ = ["ModerationCreateResponse"]
