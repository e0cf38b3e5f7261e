"""``openai.types.responses.response_input_file_content_param``."""

from __future__ import annotations

from ._params import PromptCacheBreakpoint, ResponseInputFileContentParam

__all__ = ["ResponseInputFileContentParam", "PromptCacheBreakpoint"]
