"""``openai.types.responses.response_function_call_output_item_list_param``."""

from __future__ import annotations

from ._params import ResponseFunctionCallOutputItemListParam, ResponseFunctionCallOutputItemParam

__all__ = ["ResponseFunctionCallOutputItemListParam", "ResponseFunctionCallOutputItemParam"]
