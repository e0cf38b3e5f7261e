"""``openai.types.completion``."""

from __future__ import annotations

from .._types import Completion

__all__ = ["Completion"]
