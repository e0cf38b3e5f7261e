"""``openai.types.chat.chat_completion_message_param``."""

from __future__ import annotations

from ._params import ChatCompletionMessageParam

__all__ = ["ChatCompletionMessageParam"]
