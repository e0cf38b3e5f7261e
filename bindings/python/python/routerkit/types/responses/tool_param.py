"""``openai.types.responses.tool_param``.

routerkit's ``ToolParam`` is the function tool only (``FunctionToolParam``): openai-python's
also has the hosted tools (web search, file search, MCP…), which gateways do not serve."""

from __future__ import annotations

from ._params import ToolParam

__all__ = ["ToolParam"]
