"""``openai.types.chat.chat_completion_stream_options_param``."""

from __future__ import annotations

from ._params import ChatCompletionStreamOptionsParam

__all__ = ["ChatCompletionStreamOptionsParam"]
