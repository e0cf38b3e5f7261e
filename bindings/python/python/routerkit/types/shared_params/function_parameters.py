"""``openai.types.shared_params.function_parameters``."""

from __future__ import annotations

from ..chat._params import FunctionParameters

__all__ = ["FunctionParameters"]
