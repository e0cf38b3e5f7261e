"""``openai.types.responses.response_function_call_output_item_param``."""

from __future__ import annotations

from ._params import ResponseFunctionCallOutputItemParam

__all__ = ["ResponseFunctionCallOutputItemParam"]
