"""``openai.types.responses.response_output_message_param``."""

from __future__ import annotations

from ._params import OutputMessageContent as Content
from ._params import ResponseOutputMessageParam

__all__ = ["ResponseOutputMessageParam", "Content"]
