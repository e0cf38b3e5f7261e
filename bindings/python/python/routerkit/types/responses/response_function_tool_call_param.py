"""``openai.types.responses.response_function_tool_call_param``."""

from __future__ import annotations

from ._params import Caller, CallerDirect, CallerProgram, ResponseFunctionToolCallParam

__all__ = ["ResponseFunctionToolCallParam", "Caller", "CallerDirect", "CallerProgram"]
