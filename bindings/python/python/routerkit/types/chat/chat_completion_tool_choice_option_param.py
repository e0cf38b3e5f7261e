"""``openai.types.chat.chat_completion_tool_choice_option_param``."""

from __future__ import annotations

from ._params import ChatCompletionToolChoiceOptionParam

__all__ = ["ChatCompletionToolChoiceOptionParam"]
