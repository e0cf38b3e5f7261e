"""``openai.types.chat.chat_completion_content_part_param``."""

from __future__ import annotations

from ._params import ChatCompletionContentPartParam

__all__ = ["ChatCompletionContentPartParam"]
