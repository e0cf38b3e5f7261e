"""``openai.types.moderation``."""

from __future__ import annotations

from .._types import Moderation

__all__ = ["Moderation"]
