"""``openai.types.completion_usage``."""

from __future__ import annotations

from .._types import CompletionUsage

__all__ = ["CompletionUsage"]
