"""``openai.types.chat.chat_completion``."""

from __future__ import annotations

from ..._types import ChatCompletion, Choice

__all__ = ["ChatCompletion", "Choice"]
