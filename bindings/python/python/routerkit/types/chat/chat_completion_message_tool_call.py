"""``openai.types.chat.chat_completion_message_tool_call``."""

from __future__ import annotations

from ..._types import ChatCompletionMessageToolCall, Function

__all__ = ["ChatCompletionMessageToolCall", "Function"]
