"""``openai.types.chat.chat_completion_user_message_param``."""

from __future__ import annotations

from ._params import ChatCompletionUserMessageParam

__all__ = ["ChatCompletionUserMessageParam"]
