"""``openai.types.chat.chat_completion_message_tool_call_param``."""

from __future__ import annotations

from ._params import ChatCompletionMessageToolCallParam, Function

__all__ = ["ChatCompletionMessageToolCallParam", "Function"]
