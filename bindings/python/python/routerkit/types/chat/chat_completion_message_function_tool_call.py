"""``openai.types.chat.chat_completion_message_function_tool_call``."""

from __future__ import annotations

from ..._types import ChatCompletionMessageToolCall as ChatCompletionMessageFunctionToolCall
from ..._types import Function

__all__ = ["ChatCompletionMessageFunctionToolCall", "Function"]
