"""``openai.types.chat.chat_completion_content_part_image_param``."""

from __future__ import annotations

from ._params import ChatCompletionContentPartImageParam, ImageURL

__all__ = ["ChatCompletionContentPartImageParam", "ImageURL"]
