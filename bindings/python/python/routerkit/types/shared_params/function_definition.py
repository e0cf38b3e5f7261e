"""``openai.types.shared_params.function_definition``."""

from __future__ import annotations

from ..chat._params import FunctionDefinition

__all__ = ["FunctionDefinition"]
