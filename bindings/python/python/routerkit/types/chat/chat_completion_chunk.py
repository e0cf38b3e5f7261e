"""``openai.types.chat.chat_completion_chunk``."""

from __future__ import annotations

from ..._types import ChatCompletionChunk, ChoiceDelta, ChoiceDeltaToolCall, ChoiceDeltaToolCallFunction
from ..._types import ChunkChoice as Choice

__all__ = ["ChatCompletionChunk", "Choice", "ChoiceDelta", "ChoiceDeltaToolCall", "ChoiceDeltaToolCallFunction"]
