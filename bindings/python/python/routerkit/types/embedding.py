"""``openai.types.embedding``."""

from __future__ import annotations

from .._types import Embedding

__all__ = ["Embedding"]
