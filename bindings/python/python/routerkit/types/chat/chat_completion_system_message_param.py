"""``openai.types.chat.chat_completion_system_message_param``."""

from __future__ import annotations

from ._params import ChatCompletionSystemMessageParam

__all__ = ["ChatCompletionSystemMessageParam"]
