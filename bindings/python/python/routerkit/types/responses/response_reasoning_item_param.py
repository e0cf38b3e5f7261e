"""``openai.types.responses.response_reasoning_item_param``."""

from __future__ import annotations

from ._params import ReasoningContent as Content
from ._params import ResponseReasoningItemParam, Summary

__all__ = ["ResponseReasoningItemParam", "Summary", "Content"]
