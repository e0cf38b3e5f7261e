"""``openai.types.responses.response_input_message_content_list_param``."""

from __future__ import annotations

from ._params import ResponseInputContentParam, ResponseInputMessageContentListParam

__all__ = ["ResponseInputMessageContentListParam", "ResponseInputContentParam"]
