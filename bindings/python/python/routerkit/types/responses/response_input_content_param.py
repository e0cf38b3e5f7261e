"""``openai.types.responses.response_input_content_param``."""

from __future__ import annotations

from ._params import ResponseInputContentParam

__all__ = ["ResponseInputContentParam"]
