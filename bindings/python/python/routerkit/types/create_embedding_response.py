"""``openai.types.create_embedding_response``."""

from __future__ import annotations

from .._types import CompletionUsage as Usage
from .._types import CreateEmbeddingResponse

__all__ = ["CreateEmbeddingResponse", "Usage"]
