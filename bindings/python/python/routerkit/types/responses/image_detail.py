"""``openai.types.responses.image_detail``."""

from __future__ import annotations

from ._params import ImageDetail

__all__ = ["ImageDetail"]
