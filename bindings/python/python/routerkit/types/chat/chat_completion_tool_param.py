"""``openai.types.chat.chat_completion_tool_param``."""

from __future__ import annotations

from ._params import ChatCompletionToolParam, FunctionDefinition

__all__ = ["ChatCompletionToolParam", "FunctionDefinition"]
