"""``openai.types.shared_params``."""

from __future__ import annotations

from .function_definition import FunctionDefinition as FunctionDefinition
from .function_parameters import FunctionParameters as FunctionParameters
