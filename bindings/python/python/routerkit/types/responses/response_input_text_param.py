"""``openai.types.responses.response_input_text_param``."""

from __future__ import annotations

from ._params import PromptCacheBreakpoint, ResponseInputTextParam

__all__ = ["ResponseInputTextParam", "PromptCacheBreakpoint"]
