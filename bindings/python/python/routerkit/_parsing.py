"""Structured outputs as openai-python has them: ``chat.completions.parse(response_format=Model)``,
``pydantic_function_tool(Model)``, ``responses.parse(text_format=Model)``.

The checks are the core's (the ``chat.parse`` / ``responses.parse`` operations): finish
reasons, refusals, the content parsed as JSON and checked against the schema sent, ``parsed``
added to the answer. This module only converts: a pydantic model into the strict JSON Schema
openai-python sends (every property required, ``additionalProperties: false``, ``$ref``s with
siblings inlined, ``None`` defaults dropped), and the core's ``parsed`` JSON into the model
(``model_validate_json``, as openai-python does, so that a model's own validators run and a
mismatch raises pydantic's ``ValidationError``).

pydantic is imported only when a model is given: routerkit does not depend on it.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Optional, Tuple

__all__ = [
    "pydantic_function_tool",
    "to_strict_json_schema",
    "type_to_response_format_param",
    "type_to_text_format_param",
]


def _is_model_type(t: object) -> bool:
    if not isinstance(t, type):
        return False
    try:
        import pydantic
    except ImportError:  # no pydantic: no model can have been given
        return False
    return issubclass(t, pydantic.BaseModel)


def _is_dataclass_like(t: object) -> bool:
    # pydantic dataclasses carry a config; openai-python parses them through a TypeAdapter.
    return isinstance(t, type) and hasattr(t, "__pydantic_config__")


def _is_rich(response_format: Any) -> bool:
    return response_format is not None and not isinstance(response_format, dict)


def to_strict_json_schema(model: Any) -> Dict[str, Any]:
    """The JSON Schema of a pydantic model (or TypeAdapter) made strict, as openai-python's."""
    import pydantic

    if _is_model_type(model):
        schema = model.model_json_schema()
    elif isinstance(model, pydantic.TypeAdapter):
        schema = model.json_schema()
    else:
        raise TypeError(f"Non BaseModel types are only supported with Pydantic v2 - {model}")
    return _strict(schema, (), schema)


def _resolve_ref(root: Dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"Unexpected $ref format {ref!r}; Does not start with #/")
    resolved: Any = root
    for key in ref[2:].split("/"):
        resolved = resolved[key]
        if not isinstance(resolved, dict):
            raise ValueError(f"encountered non-dictionary entry while resolving {ref} - {resolved}")
    return resolved


def _strict(schema: Any, path: Tuple[str, ...], root: Dict[str, Any]) -> Dict[str, Any]:
    if not isinstance(schema, dict):
        raise TypeError(f"Expected {schema} to be a dictionary; path={path}")
    for defs_key in ("$defs", "definitions"):
        defs = schema.get(defs_key)
        if isinstance(defs, dict):
            for name, sub in defs.items():
                _strict(sub, (*path, defs_key, name), root)
    if schema.get("type") == "object" and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    props = schema.get("properties")
    if isinstance(props, dict):
        schema["required"] = list(props.keys())
        schema["properties"] = {k: _strict(v, (*path, "properties", k), root) for k, v in props.items()}
    items = schema.get("items")
    if isinstance(items, dict):
        schema["items"] = _strict(items, (*path, "items"), root)
    any_of = schema.get("anyOf")
    if isinstance(any_of, list):
        schema["anyOf"] = [_strict(v, (*path, "anyOf", str(i)), root) for i, v in enumerate(any_of)]
    all_of = schema.get("allOf")
    if isinstance(all_of, list):
        if len(all_of) == 1:
            schema.update(_strict(all_of[0], (*path, "allOf", "0"), root))
            schema.pop("allOf")
        else:
            schema["allOf"] = [_strict(v, (*path, "allOf", str(i)), root) for i, v in enumerate(all_of)]
    if "default" in schema and schema["default"] is None:
        schema.pop("default")
    ref = schema.get("$ref")
    if ref and len(schema) > 1:
        # A $ref with siblings (a description) is inlined: strict mode takes no siblings of $ref.
        resolved = _resolve_ref(root, ref)
        schema.update({**resolved, **schema})
        schema.pop("$ref")
        return _strict(schema, path, root)
    return schema


def type_to_response_format_param(response_format: Any) -> Any:
    """``response_format=`` as sent: a dict as given, a model as a strict ``json_schema``."""
    if response_format is None or isinstance(response_format, dict):
        return response_format
    import pydantic

    if _is_model_type(response_format):
        schema_of: Any = response_format
    elif _is_dataclass_like(response_format):
        schema_of = pydantic.TypeAdapter(response_format)
    else:
        raise TypeError(f"Unsupported response_format type - {response_format}")
    return {
        "type": "json_schema",
        "json_schema": {"schema": to_strict_json_schema(schema_of), "name": response_format.__name__, "strict": True},
    }


def type_to_text_format_param(text_format: Any) -> Dict[str, Any]:
    """``text_format=Model`` of ``responses.parse``: the Responses API's flat ``text.format``."""
    param = type_to_response_format_param(text_format)
    js = param["json_schema"]
    return {"type": "json_schema", "strict": True, "name": js["name"], "schema": js["schema"]}


class PydanticFunctionTool(Dict[str, Any]):
    """A function definition that remembers its model (openai-python's wrapper of the same name)."""

    model: Any

    def __init__(self, defn: Dict[str, Any], model: Any) -> None:
        super().__init__(defn)
        self.model = model


def pydantic_function_tool(
    model: Any, *, name: Optional[str] = None, description: Optional[str] = None
) -> Dict[str, Any]:
    """A strict function tool from a pydantic model; its calls come back with ``parsed_arguments``
    as model instances."""
    if description is None:
        description = model.__doc__
    function = PydanticFunctionTool(
        {"name": name or model.__name__, "strict": True, "parameters": to_strict_json_schema(model)}, model
    )
    if description is not None:
        function["description"] = description
    return {"type": "function", "function": function}


def _validate(model: Any, text: str) -> Any:
    import pydantic

    if _is_model_type(model):
        return model.model_validate_json(text)
    if _is_dataclass_like(model):
        return pydantic.TypeAdapter(model).validate_json(text)
    raise TypeError(f"Unable to automatically parse response format type {model}")


def _plain(value: Any) -> Any:
    """The core's ``parsed`` value (light objects) as plain JSON data."""
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _tool_models(tools: Optional[Iterable[Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for t in tools or []:
        fn = t.get("function") if isinstance(t, dict) else None
        if isinstance(fn, PydanticFunctionTool):
            out[fn["name"]] = fn.model
    return out


def chat_body(params: Dict[str, Any]) -> Dict[str, Any]:
    """``parse``'s keyword arguments as the body the core checks and sends."""
    if params.get("response_format") is not None:
        params["response_format"] = type_to_response_format_param(params["response_format"])
    return params


def finish_chat(completion: Any, response_format: Any, tools: Optional[List[Any]]) -> Any:
    """Turns the core's ``parsed`` values into the caller's types, in place."""
    models = _tool_models(tools)
    for choice in completion.choices or []:
        message = choice.message
        if message is None:
            continue
        if _is_rich(response_format):
            parsed = None
            if message.content and not message.refusal:
                parsed = _validate(response_format, message.content)
            message.__dict__["parsed"] = parsed
        else:
            message.__dict__["parsed"] = _plain(message.parsed)
        for call in message.tool_calls or []:
            fn = call.function
            if fn is None:
                continue
            model = models.get(fn.name)
            if model is not None:
                fn.__dict__["parsed_arguments"] = _validate(model, fn.arguments)
            else:
                fn.__dict__["parsed_arguments"] = _plain(fn.parsed_arguments)
    return completion


def _format_type(response_format: Any) -> Optional[str]:
    if isinstance(response_format, dict):
        t = response_format.get("type")
        return t if isinstance(t, str) else None
    return "json_schema" if response_format is not None else None


class StreamParsing:
    """The stream helper's structured outputs (``stream(..., response_format=..., tools=...)``): the
    core checks the whole answer (``chat.parse_stream``); this turns the done events' text and the
    final completion into the caller's types."""

    def __init__(self, response_format: Any, tools: Optional[List[Any]]) -> None:
        self._format = response_format
        self._models = _tool_models(tools)
        self._strict = {
            t["function"]["name"]
            for t in tools or []
            if isinstance(t, dict) and isinstance(t.get("function"), dict) and t["function"].get("strict") is True
        }

    @staticmethod
    def wanted(response_format: Any, tools: Optional[List[Any]]) -> bool:
        """Whether the stream is a parse: a model or a JSON format, or strict tools; and every tool a
        strict function (the core's check refuses others, and openai-python's sync ``stream()`` takes
        them without parsing: such a stream stays a plain one)."""
        strict = StreamParsing(None, tools)._strict
        if len(strict) != len(list(tools or [])):
            return False
        return _format_type(response_format) in ("json_schema", "json_object") or bool(strict)

    def content(self, text: str) -> Any:
        if not text or _format_type(self._format) not in ("json_schema", "json_object"):
            return None
        if _is_rich(self._format):
            return _validate(self._format, text)
        return json.loads(text)

    def arguments(self, name: str, text: str) -> Any:
        model = self._models.get(name)
        if model is not None:
            return _validate(model, text)
        return json.loads(text) if name in self._strict and text else None

    def final(self, completion: Any) -> None:
        for choice in completion.choices or []:
            message = choice.message
            if message is None:
                continue
            message.__dict__["parsed"] = None if message.refusal else self.content(message.content or "")
            for call in message.tool_calls or []:
                if call.function is not None:
                    call.function.__dict__["parsed_arguments"] = self.arguments(
                        call.function.name or "", call.function.arguments or ""
                    )


def responses_body(params: Dict[str, Any], text_format: Any) -> Dict[str, Any]:
    if text_format is not None:
        text = dict(params.get("text") or {})
        text["format"] = type_to_text_format_param(text_format)
        params["text"] = text
    tools = params.get("tools")
    if tools:
        # pydantic_function_tool's chat shape, flattened to the Responses API's tool shape.
        params["tools"] = [_responses_tool(t) for t in tools]
    return params


def _responses_tool(t: Any) -> Any:
    fn = t.get("function") if isinstance(t, dict) else None
    if isinstance(fn, PydanticFunctionTool):
        flat = ResponsesPydanticTool({"type": "function", **fn}, fn.model)
        return flat
    return t


class ResponsesPydanticTool(Dict[str, Any]):
    model: Any

    def __init__(self, tool: Dict[str, Any], model: Any) -> None:
        super().__init__(tool)
        self.model = model


def finish_response(response: Any, text_format: Any, tools: Optional[List[Any]]) -> Any:
    models = {t["name"]: t.model for t in tools or [] if isinstance(t, ResponsesPydanticTool)}
    first: Any = None
    for item in response.output or []:
        if item.type == "message":
            for part in item.content or []:
                if part.type != "output_text":
                    continue
                if text_format is not None:
                    parsed = _validate(text_format, part.text) if part.text else None
                else:
                    parsed = _plain(part.parsed)
                part.__dict__["parsed"] = parsed
                if first is None and parsed is not None:
                    first = parsed
        elif item.type == "function_call":
            model = models.get(item.name)
            if model is not None:
                item.__dict__["parsed_arguments"] = _validate(model, item.arguments)
            else:
                item.__dict__["parsed_arguments"] = _plain(item.parsed_arguments)
    response.__dict__["output_parsed"] = first
    return response


class ResponseStreamParsing:
    """The Responses stream helper's structured outputs (``responses.stream(text_format=...)``, a
    ``json_schema``/``json_object`` ``text.format``, or strict function tools): the core checks each
    output text when it is done and the whole response at the end (``responses.parse_stream``);
    this turns the ``response.output_text.done`` events' text, the completed response and the
    final response into the caller's types (``parsed``, ``parsed_arguments``, ``output_parsed``)."""

    def __init__(self, text_format: Any, body: Dict[str, Any]) -> None:
        self._format = text_format
        text = body.get("text")
        fmt = text.get("format") if isinstance(text, dict) else None
        self._json = text_format is not None or (
            isinstance(fmt, dict) and fmt.get("type") in ("json_schema", "json_object")
        )
        tools = body.get("tools") or []
        self._models = {t["name"]: t.model for t in tools if isinstance(t, ResponsesPydanticTool)}
        self._strict = {
            t.get("name")
            for t in tools
            if isinstance(t, dict) and t.get("type") == "function" and t.get("strict") is True
        }

    def wanted(self) -> bool:
        return self._json or bool(self._strict)

    def text(self, text: Optional[str]) -> Any:
        if not text or not self._json:
            return None
        if self._format is not None and _is_rich(self._format):
            return _validate(self._format, text)
        return json.loads(text)

    def arguments(self, name: Optional[str], text: Optional[str]) -> Any:
        model = self._models.get(name or "")
        if model is not None:
            return _validate(model, text or "")
        return json.loads(text) if name in self._strict and text else None

    def final(self, response: Any) -> Any:
        first: Any = None
        for item in response.output or []:
            if item.type == "message":
                for part in item.content or []:
                    if part.type != "output_text":
                        continue
                    parsed = self.text(part.text)
                    part.__dict__["parsed"] = parsed
                    if first is None and parsed is not None:
                        first = parsed
            elif item.type == "function_call":
                item.__dict__["parsed_arguments"] = self.arguments(
                    getattr(item, "name", None), getattr(item, "arguments", None)
                )
        response.__dict__["output_parsed"] = first
        return response
