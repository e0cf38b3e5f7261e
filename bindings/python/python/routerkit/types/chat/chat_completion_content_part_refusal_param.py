"""``openai.types.chat.chat_completion_content_part_refusal_param``."""

from __future__ import annotations

from ._params import ChatCompletionContentPartRefusalParam

__all__ = ["ChatCompletionContentPartRefusalParam"]
