"""``openai.types.chat.chat_completion_message``."""

from __future__ import annotations

from ..._types import ChatCompletionMessage

__all__ = ["ChatCompletionMessage"]
