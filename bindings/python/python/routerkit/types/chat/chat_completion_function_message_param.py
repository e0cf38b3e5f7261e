"""``openai.types.chat.chat_completion_function_message_param``."""

from __future__ import annotations

from ._params import ChatCompletionFunctionMessageParam

__all__ = ["ChatCompletionFunctionMessageParam"]
