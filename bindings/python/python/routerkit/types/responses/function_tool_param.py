"""``openai.types.responses.function_tool_param``."""

from __future__ import annotations

from ._params import FunctionToolParam

__all__ = ["FunctionToolParam"]
