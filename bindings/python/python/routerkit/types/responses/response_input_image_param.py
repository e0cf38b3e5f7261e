"""``openai.types.responses.response_input_image_param``."""

from __future__ import annotations

from ._params import PromptCacheBreakpoint, ResponseInputImageParam

__all__ = ["ResponseInputImageParam", "PromptCacheBreakpoint"]
