"""``openai.types.chat.chat_completion_named_tool_choice_param``."""

from __future__ import annotations

from ._params import ChatCompletionNamedToolChoiceParam

__all__ = ["ChatCompletionNamedToolChoiceParam"]
