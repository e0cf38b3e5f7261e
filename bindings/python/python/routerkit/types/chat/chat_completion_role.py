"""``openai.types.chat.chat_completion_role``."""

from __future__ import annotations

from ._params import ChatCompletionRole

__all__ = ["ChatCompletionRole"]
