"""The request parameter types of the Responses API, as openai-python's TypedDicts (one module of
definitions; the modules named as openai-python's re-export them from here).

Only the items a gateway's stateless Responses API takes are here: messages (plain, typed and an
assistant turn replayed), function calls and their outputs, reasoning items, and the function
tool. openai-python's hosted items and tools (file search, computer use, MCP, shell…) are left
out: routerkit does not route them. Keys, which are required and the literal values are
openai-python's; routerkit sends every key as given.

Required keys are in a base class and optional ones in a ``total=False`` subclass, so that the
types hold on Python 3.9 without ``typing_extensions``.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Literal, Optional, TypedDict, Union

__all__ = [
    "ImageDetail",
    "PromptCacheBreakpoint",
    "ResponseInputTextParam",
    "ResponseInputImageParam",
    "ResponseInputFileParam",
    "ResponseInputContentParam",
    "ResponseInputMessageContentListParam",
    "ResponseInputTextContentParam",
    "ResponseInputImageContentParam",
    "ResponseInputFileContentParam",
    "ResponseFunctionCallOutputItemParam",
    "ResponseFunctionCallOutputItemListParam",
    "EasyInputMessageParam",
    "Message",
    "CallerDirect",
    "CallerProgram",
    "Caller",
    "ResponseFunctionToolCallParam",
    "FunctionCallOutputCallerDirect",
    "FunctionCallOutputCallerProgram",
    "FunctionCallOutputCaller",
    "FunctionCallOutput",
    "AnnotationFileCitation",
    "AnnotationURLCitation",
    "AnnotationContainerFileCitation",
    "AnnotationFilePath",
    "Annotation",
    "LogprobTopLogprob",
    "Logprob",
    "ResponseOutputTextParam",
    "ResponseOutputRefusalParam",
    "OutputMessageContent",
    "ResponseOutputMessageParam",
    "Summary",
    "ReasoningContent",
    "ResponseReasoningItemParam",
    "ResponseInputItemParam",
    "ResponseInputParam",
    "FunctionToolParam",
    "ToolParam",
]

ImageDetail = Literal["low", "high", "auto", "original"]
_ItemStatus = Literal["in_progress", "completed", "incomplete"]
_Phase = Literal["commentary", "final_answer"]
_Callers = List[Literal["direct", "programmatic"]]


class _PromptCacheBreakpointRequired(TypedDict):
    mode: Literal["explicit"]


class PromptCacheBreakpoint(_PromptCacheBreakpointRequired, total=False):
    """Where a reusable prompt prefix ends (``ttl`` omitted: the request's)."""

    ttl: Literal["30m", "12h"]


# Message content: the parts of a user, system or developer message.


class _InputTextRequired(TypedDict):
    text: str
    type: Literal["input_text"]


class ResponseInputTextParam(_InputTextRequired, total=False):
    prompt_cache_breakpoint: PromptCacheBreakpoint


class _InputImageRequired(TypedDict):
    detail: ImageDetail
    type: Literal["input_image"]


class ResponseInputImageParam(_InputImageRequired, total=False):
    """An image by URL (or a base64 ``data:`` URL) or by file id; ``detail`` is required, as in
    openai-python."""

    file_id: Optional[str]
    image_url: Optional[str]
    prompt_cache_breakpoint: PromptCacheBreakpoint


class _InputFileRequired(TypedDict):
    type: Literal["input_file"]


class ResponseInputFileParam(_InputFileRequired, total=False):
    detail: Literal["auto", "low", "high"]
    file_data: str
    file_id: Optional[str]
    file_url: str
    filename: str
    prompt_cache_breakpoint: PromptCacheBreakpoint


ResponseInputContentParam = Union[ResponseInputTextParam, ResponseInputImageParam, ResponseInputFileParam]
ResponseInputMessageContentListParam = List[ResponseInputContentParam]


# A function call's output as parts: the same three kinds, with openai-python's looser keys
# (``detail`` optional, every key but ``type`` nullable).


class ResponseInputTextContentParam(_InputTextRequired, total=False):
    prompt_cache_breakpoint: Optional[PromptCacheBreakpoint]


class _InputImageContentRequired(TypedDict):
    type: Literal["input_image"]


class ResponseInputImageContentParam(_InputImageContentRequired, total=False):
    detail: Optional[ImageDetail]
    file_id: Optional[str]
    image_url: Optional[str]
    prompt_cache_breakpoint: Optional[PromptCacheBreakpoint]


class ResponseInputFileContentParam(_InputFileRequired, total=False):
    detail: Literal["auto", "low", "high"]
    file_data: Optional[str]
    file_id: Optional[str]
    file_url: Optional[str]
    filename: Optional[str]
    prompt_cache_breakpoint: Optional[PromptCacheBreakpoint]


ResponseFunctionCallOutputItemParam = Union[
    ResponseInputTextContentParam, ResponseInputImageContentParam, ResponseInputFileContentParam
]
ResponseFunctionCallOutputItemListParam = List[ResponseFunctionCallOutputItemParam]


# Input items.


class _EasyInputMessageRequired(TypedDict):
    content: Union[str, ResponseInputMessageContentListParam]
    role: Literal["user", "assistant", "system", "developer"]


class EasyInputMessageParam(_EasyInputMessageRequired, total=False):
    """A message as most programs write it: a role and a string (or a list of content parts)."""

    phase: Optional[_Phase]
    type: Literal["message"]


class _MessageRequired(TypedDict):
    content: ResponseInputMessageContentListParam
    role: Literal["user", "system", "developer"]


class Message(_MessageRequired, total=False):
    """``response_input_param.Message``: a message whose content is a list of parts (no assistant)."""

    status: _ItemStatus
    type: Literal["message"]


class CallerDirect(TypedDict):
    type: Literal["direct"]


class CallerProgram(TypedDict):
    caller_id: str
    type: Literal["program"]


Caller = Union[CallerDirect, CallerProgram]

# "async" is a keyword, so these keys can only be declared in TypedDict's functional form.
_AsyncKey = TypedDict("_AsyncKey", {"async": bool}, total=False)


class _FunctionToolCallRequired(TypedDict):
    arguments: str
    call_id: str
    name: str
    type: Literal["function_call"]


class ResponseFunctionToolCallParam(_FunctionToolCallRequired, _AsyncKey, total=False):
    """A function call the model made, replayed in the next request's ``input``."""

    id: str
    caller: Optional[Caller]
    namespace: str
    status: _ItemStatus


class FunctionCallOutputCallerDirect(TypedDict):
    type: Literal["direct"]


class FunctionCallOutputCallerProgram(TypedDict):
    caller_id: str
    type: Literal["program"]


FunctionCallOutputCaller = Union[FunctionCallOutputCallerDirect, FunctionCallOutputCallerProgram]


class _FunctionCallOutputRequired(TypedDict):
    output: Union[str, ResponseFunctionCallOutputItemListParam]
    type: Literal["function_call_output"]


class FunctionCallOutput(_FunctionCallOutputRequired, total=False):
    """``response_input_param.FunctionCallOutput``: a function's result for the call ``call_id``
    (optional in openai-python's type, though a gateway needs it to pair the two)."""

    id: Optional[str]
    call_id: Optional[str]
    caller: Optional[FunctionCallOutputCaller]
    name: Optional[str]
    namespace: Optional[str]
    status: Optional[_ItemStatus]


# An assistant turn replayed: an output message with its text (or refusal) parts.


class AnnotationFileCitation(TypedDict):
    file_id: str
    filename: str
    index: int
    type: Literal["file_citation"]


class AnnotationURLCitation(TypedDict):
    end_index: int
    start_index: int
    title: str
    type: Literal["url_citation"]
    url: str


class AnnotationContainerFileCitation(TypedDict):
    container_id: str
    end_index: int
    file_id: str
    filename: str
    start_index: int
    type: Literal["container_file_citation"]


class AnnotationFilePath(TypedDict):
    file_id: str
    index: int
    type: Literal["file_path"]


Annotation = Union[AnnotationFileCitation, AnnotationURLCitation, AnnotationContainerFileCitation, AnnotationFilePath]


class LogprobTopLogprob(TypedDict):
    token: str
    bytes: Iterable[int]
    logprob: float


class Logprob(TypedDict):
    token: str
    bytes: Iterable[int]
    logprob: float
    top_logprobs: Iterable[LogprobTopLogprob]


class _OutputTextRequired(TypedDict):
    annotations: Iterable[Annotation]
    text: str
    type: Literal["output_text"]


class ResponseOutputTextParam(_OutputTextRequired, total=False):
    logprobs: Iterable[Logprob]


class ResponseOutputRefusalParam(TypedDict):
    refusal: str
    type: Literal["refusal"]


OutputMessageContent = Union[ResponseOutputTextParam, ResponseOutputRefusalParam]


class _OutputMessageRequired(TypedDict):
    id: str
    content: Iterable[OutputMessageContent]
    role: Literal["assistant"]
    status: _ItemStatus
    type: Literal["message"]


class ResponseOutputMessageParam(_OutputMessageRequired, total=False):
    """An assistant message from an earlier response, sent back as input."""

    phase: Optional[_Phase]


class Summary(TypedDict):
    text: str
    type: Literal["summary_text"]


class ReasoningContent(TypedDict):
    text: str
    type: Literal["reasoning_text"]


class _ReasoningItemRequired(TypedDict):
    id: str
    summary: Iterable[Summary]
    type: Literal["reasoning"]


class ResponseReasoningItemParam(_ReasoningItemRequired, total=False):
    """A reasoning item from an earlier response, sent back as input (``encrypted_content`` as
    received, for a gateway that keeps no state)."""

    content: Iterable[ReasoningContent]
    encrypted_content: Optional[str]
    status: _ItemStatus


ResponseInputItemParam = Union[
    EasyInputMessageParam,
    Message,
    ResponseOutputMessageParam,
    ResponseFunctionToolCallParam,
    FunctionCallOutput,
    ResponseReasoningItemParam,
]
ResponseInputParam = List[ResponseInputItemParam]


# Tools.


class _FunctionToolRequired(TypedDict):
    name: str
    parameters: Optional[Dict[str, object]]
    strict: Optional[bool]
    type: Literal["function"]


class FunctionToolParam(_FunctionToolRequired, _AsyncKey, total=False):
    """A function the model may call (the Responses API's flat form: ``name`` beside ``type``,
    no nested ``function`` object as in chat's tools)."""

    allowed_callers: Optional[_Callers]
    defer_loading: bool
    description: Optional[str]
    output_schema: Optional[Dict[str, object]]


class ToolParam(FunctionToolParam):
    """routerkit's ``ToolParam`` is the function tool only (a subclass here, the same keys):
    openai-python's is a union that also has the hosted tools (web search, file search, MCP, code
    interpreter…), which gateways do not serve."""
