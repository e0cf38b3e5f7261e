"""``openai.types.model``."""

from __future__ import annotations

from .._types import Model

__all__ = ["Model"]
