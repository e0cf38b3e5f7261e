"""``openai.types.chat.chat_completion_function_tool_param``."""

from __future__ import annotations

from ._params import ChatCompletionFunctionToolParam

__all__ = ["ChatCompletionFunctionToolParam"]
