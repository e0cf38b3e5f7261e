"""``openai.types.chat.chat_completion_developer_message_param``."""

from __future__ import annotations

from ._params import ChatCompletionDeveloperMessageParam

__all__ = ["ChatCompletionDeveloperMessageParam"]
