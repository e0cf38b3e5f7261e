"""The request parameter types of chat completions, as openai-python's TypedDicts (one module
of definitions; the modules named as openai-python's re-export them from here).

Required keys are in a base class and optional ones in a ``total=False`` subclass, so that the
types hold on Python 3.9 without ``typing_extensions``.
"""

from __future__ import annotations

from typing import Dict, Iterable, Literal, Optional, TypedDict, Union

__all__ = [
    "FunctionParameters",
    "FunctionDefinition",
    "ChatCompletionContentPartTextParam",
    "ImageURL",
    "ChatCompletionContentPartImageParam",
    "InputAudio",
    "ChatCompletionContentPartInputAudioParam",
    "ChatCompletionContentPartRefusalParam",
    "ChatCompletionContentPartParam",
    "ChatCompletionSystemMessageParam",
    "ChatCompletionDeveloperMessageParam",
    "ChatCompletionUserMessageParam",
    "Function",
    "ChatCompletionMessageFunctionToolCallParam",
    "ChatCompletionMessageToolCallParam",
    "FunctionCall",
    "ChatCompletionAssistantMessageParam",
    "ChatCompletionToolMessageParam",
    "ChatCompletionFunctionMessageParam",
    "ChatCompletionMessageParam",
    "ChatCompletionFunctionToolParam",
    "ChatCompletionToolParam",
    "ChatCompletionNamedToolChoiceParam",
    "ChatCompletionToolChoiceOptionParam",
    "ChatCompletionStreamOptionsParam",
    "ChatCompletionRole",
]

FunctionParameters = Dict[str, object]
ChatCompletionRole = Literal["developer", "system", "user", "assistant", "tool", "function"]


class _FunctionDefinitionRequired(TypedDict):
    name: str


class FunctionDefinition(_FunctionDefinitionRequired, total=False):
    description: str
    parameters: FunctionParameters
    strict: Optional[bool]


class ChatCompletionContentPartTextParam(TypedDict):
    text: str
    type: Literal["text"]


class _ImageURLRequired(TypedDict):
    url: str


class ImageURL(_ImageURLRequired, total=False):
    detail: Literal["auto", "low", "high"]


class ChatCompletionContentPartImageParam(TypedDict):
    image_url: ImageURL
    type: Literal["image_url"]


class InputAudio(TypedDict):
    data: str
    format: Literal["wav", "mp3"]


class ChatCompletionContentPartInputAudioParam(TypedDict):
    input_audio: InputAudio
    type: Literal["input_audio"]


class ChatCompletionContentPartRefusalParam(TypedDict):
    refusal: str
    type: Literal["refusal"]


ChatCompletionContentPartParam = Union[
    ChatCompletionContentPartTextParam,
    ChatCompletionContentPartImageParam,
    ChatCompletionContentPartInputAudioParam,
]


class _SystemRequired(TypedDict):
    content: Union[str, Iterable[ChatCompletionContentPartTextParam]]
    role: Literal["system"]


class ChatCompletionSystemMessageParam(_SystemRequired, total=False):
    name: str


class _DeveloperRequired(TypedDict):
    content: Union[str, Iterable[ChatCompletionContentPartTextParam]]
    role: Literal["developer"]


class ChatCompletionDeveloperMessageParam(_DeveloperRequired, total=False):
    name: str


class _UserRequired(TypedDict):
    content: Union[str, Iterable[ChatCompletionContentPartParam]]
    role: Literal["user"]


class ChatCompletionUserMessageParam(_UserRequired, total=False):
    name: str


class Function(TypedDict):
    arguments: str
    name: str


class ChatCompletionMessageFunctionToolCallParam(TypedDict):
    id: str
    function: Function
    type: Literal["function"]


class ChatCompletionMessageToolCallParam(ChatCompletionMessageFunctionToolCallParam):
    """openai-python's alias of the function tool call (a subclass here, the same keys)."""


class FunctionCall(TypedDict):
    arguments: str
    name: str


class _AssistantRequired(TypedDict):
    role: Literal["assistant"]


class ChatCompletionAssistantMessageParam(_AssistantRequired, total=False):
    content: Union[
        str, Iterable[Union[ChatCompletionContentPartTextParam, ChatCompletionContentPartRefusalParam]], None
    ]
    function_call: Optional[FunctionCall]
    name: str
    refusal: Optional[str]
    tool_calls: Iterable[ChatCompletionMessageToolCallParam]


class ChatCompletionToolMessageParam(TypedDict):
    content: Union[str, Iterable[ChatCompletionContentPartTextParam]]
    role: Literal["tool"]
    tool_call_id: str


class ChatCompletionFunctionMessageParam(TypedDict):
    content: Optional[str]
    name: str
    role: Literal["function"]


ChatCompletionMessageParam = Union[
    ChatCompletionDeveloperMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
    ChatCompletionAssistantMessageParam,
    ChatCompletionToolMessageParam,
    ChatCompletionFunctionMessageParam,
]


class ChatCompletionFunctionToolParam(TypedDict):
    function: FunctionDefinition
    type: Literal["function"]


class ChatCompletionToolParam(ChatCompletionFunctionToolParam):
    """openai-python's alias of the function tool (a subclass here, the same keys)."""


class _NamedFunction(TypedDict):
    name: str


class ChatCompletionNamedToolChoiceParam(TypedDict):
    function: _NamedFunction
    type: Literal["function"]


ChatCompletionToolChoiceOptionParam = Union[Literal["none", "auto", "required"], ChatCompletionNamedToolChoiceParam]


class ChatCompletionStreamOptionsParam(TypedDict, total=False):
    include_usage: bool
