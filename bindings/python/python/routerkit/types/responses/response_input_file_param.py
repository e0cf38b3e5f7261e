"""``openai.types.responses.response_input_file_param``."""

from __future__ import annotations

from ._params import PromptCacheBreakpoint, ResponseInputFileParam

__all__ = ["ResponseInputFileParam", "PromptCacheBreakpoint"]
