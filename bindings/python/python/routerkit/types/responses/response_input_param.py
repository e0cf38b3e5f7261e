"""``openai.types.responses.response_input_param``.

The item kinds a gateway takes: messages, an assistant turn replayed, function calls and their
outputs, reasoning items (openai-python's hosted-tool items are not here)."""

from __future__ import annotations

from ._params import (
    FunctionCallOutput,
    FunctionCallOutputCaller,
    FunctionCallOutputCallerDirect,
    FunctionCallOutputCallerProgram,
    Message,
    ResponseInputItemParam,
    ResponseInputParam,
)

__all__ = [
    "ResponseInputParam",
    "ResponseInputItemParam",
    "Message",
    "FunctionCallOutput",
    "FunctionCallOutputCaller",
    "FunctionCallOutputCallerDirect",
    "FunctionCallOutputCallerProgram",
]
