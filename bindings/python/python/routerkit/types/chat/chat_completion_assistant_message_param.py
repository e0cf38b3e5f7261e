"""``openai.types.chat.chat_completion_assistant_message_param``."""

from __future__ import annotations

from ._params import ChatCompletionAssistantMessageParam, FunctionCall

__all__ = ["ChatCompletionAssistantMessageParam", "FunctionCall"]
