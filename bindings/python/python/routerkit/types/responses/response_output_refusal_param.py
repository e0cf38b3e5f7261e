"""``openai.types.responses.response_output_refusal_param``."""

from __future__ import annotations

from ._params import ResponseOutputRefusalParam

__all__ = ["ResponseOutputRefusalParam"]
