"""``openai.types.completion_choice``."""

from __future__ import annotations

from .._types import CompletionChoice

__all__ = ["CompletionChoice"]
