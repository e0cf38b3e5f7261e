"""``openai.types.responses.response_input_text_content_param``."""

from __future__ import annotations

from ._params import PromptCacheBreakpoint, ResponseInputTextContentParam

__all__ = ["ResponseInputTextContentParam", "PromptCacheBreakpoint"]
