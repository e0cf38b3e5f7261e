"""``routerkit.types.responses``: the Responses API types routerkit has, laid out as
openai-python's ``openai.types.responses`` (``response``, ``response_stream_event``…).
Responses are routerkit's light classes: one class each for an output item and a stream event,
where openai-python has a union of one class per ``type``. Request parameters (``ResponseInputParam``,
``EasyInputMessageParam``, ``FunctionToolParam``…) are TypedDicts, limited to what gateways serve:
messages, function calls and their outputs, reasoning items and the function tool."""

from __future__ import annotations

from .easy_input_message_param import EasyInputMessageParam as EasyInputMessageParam
from .function_tool_param import FunctionToolParam as FunctionToolParam
from .image_detail import ImageDetail as ImageDetail
from .response import Response as Response
from .response_function_call_output_item_list_param import (
    ResponseFunctionCallOutputItemListParam as ResponseFunctionCallOutputItemListParam,
)
from .response_function_call_output_item_param import (
    ResponseFunctionCallOutputItemParam as ResponseFunctionCallOutputItemParam,
)
from .response_function_tool_call_param import ResponseFunctionToolCallParam as ResponseFunctionToolCallParam
from .response_input_content_param import ResponseInputContentParam as ResponseInputContentParam
from .response_input_file_content_param import ResponseInputFileContentParam as ResponseInputFileContentParam
from .response_input_file_param import ResponseInputFileParam as ResponseInputFileParam
from .response_input_image_content_param import ResponseInputImageContentParam as ResponseInputImageContentParam
from .response_input_image_param import ResponseInputImageParam as ResponseInputImageParam
from .response_input_item_param import ResponseInputItemParam as ResponseInputItemParam
from .response_input_message_content_list_param import (
    ResponseInputMessageContentListParam as ResponseInputMessageContentListParam,
)
from .response_input_param import ResponseInputParam as ResponseInputParam
from .response_input_text_content_param import ResponseInputTextContentParam as ResponseInputTextContentParam
from .response_input_text_param import ResponseInputTextParam as ResponseInputTextParam
from .response_output_item import ResponseOutputItem as ResponseOutputItem
from .response_output_message_param import ResponseOutputMessageParam as ResponseOutputMessageParam
from .response_output_refusal_param import ResponseOutputRefusalParam as ResponseOutputRefusalParam
from .response_output_text_param import ResponseOutputTextParam as ResponseOutputTextParam
from .response_reasoning_item_param import ResponseReasoningItemParam as ResponseReasoningItemParam
from .response_stream_event import ResponseStreamEvent as ResponseStreamEvent
from .response_usage import ResponseUsage as ResponseUsage
from .tool_param import ToolParam as ToolParam
