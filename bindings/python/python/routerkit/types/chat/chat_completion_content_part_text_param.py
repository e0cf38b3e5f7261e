"""``openai.types.chat.chat_completion_content_part_text_param``."""

from __future__ import annotations

from ._params import ChatCompletionContentPartTextParam

__all__ = ["ChatCompletionContentPartTextParam"]
