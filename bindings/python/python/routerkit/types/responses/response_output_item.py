"""``openai.types.responses.response_output_item``."""

from __future__ import annotations

from ..._responses import ResponseOutputItem

__all__ = ["ResponseOutputItem"]
