"""``openai.types.chat.chat_completion_tool_message_param``."""

from __future__ import annotations

from ._params import ChatCompletionToolMessageParam

__all__ = ["ChatCompletionToolMessageParam"]
