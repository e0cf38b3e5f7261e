"""``openai.types.responses.response_input_image_content_param``."""

from __future__ import annotations

from ._params import PromptCacheBreakpoint, ResponseInputImageContentParam

__all__ = ["ResponseInputImageContentParam", "PromptCacheBreakpoint"]
