"""``openai.types.responses.easy_input_message_param``."""

from __future__ import annotations

from ._params import EasyInputMessageParam

__all__ = ["EasyInputMessageParam"]
