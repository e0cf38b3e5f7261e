"""``routerkit.types.responses``: the Responses API types routerkit has, laid out as
openai-python's ``openai.types.responses`` (``response``, ``response_stream_event``…).
They are routerkit's light classes: one class each for an output item and a stream event,
where openai-python has a union of one class per ``type``."""

from __future__ import annotations

from .response import Response as Response
from .response_output_item import ResponseOutputItem as ResponseOutputItem
from .response_stream_event import ResponseStreamEvent as ResponseStreamEvent
from .response_usage import ResponseUsage as ResponseUsage
