"""Where a program written for openai-python would break or silently do something else: raw
responses, the ``routerkit.types`` import paths, the module-level client, embeddings asked
for as base64, the key's repr. tests/dropin/python runs whole programs on both SDKs."""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any, List

import pytest
import routerkit
from conftest import KEY, Mock
from routerkit._client import _Secret

MSG = [{"role": "user", "content": "one two three"}]
ANSWER = "Hello from routerkit-mock! You said: one two three"


# ---- with_raw_response


def test_raw_response_chat(client: Any, mock: Mock) -> None:
    mock.script([{"status": 503}, {"headers": {"x-custom": "yes"}}])
    raw = client.chat.completions.with_raw_response.create(model="m", messages=MSG)
    assert isinstance(raw, routerkit.LegacyAPIResponse)
    assert raw.status_code == 200
    assert raw.headers["x-custom"] == "yes"
    assert raw.headers.get("X-Request-Id") == "req_2"
    assert raw.request_id == "req_2"
    assert raw.retries_taken == 1
    assert raw.is_closed and raw.reason_phrase == "OK"
    assert repr(raw) == "<LegacyAPIResponse [200 OK] body>"
    assert json.loads(raw.content)["object"] == "chat.completion"
    assert json.loads(raw.text)["choices"][0]["message"]["content"] == ANSWER
    completion = raw.parse()
    assert isinstance(completion, routerkit.types.chat.ChatCompletion)
    assert completion.choices[0].message.content == ANSWER
    assert completion._request_id == "req_2"
    assert raw.parse() is completion  # parsed once


def test_raw_response_stream_models_embeddings(client: Any, mock: Mock) -> None:
    raw = client.chat.completions.with_raw_response.create(model="m", messages=MSG, stream=True)
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("text/event-stream")
    stream = raw.parse()
    assert isinstance(stream, routerkit.Stream)
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == ANSWER

    models = client.models.with_raw_response.list()
    assert models.status_code == 200 and models.request_id == "req_2"
    assert [m.id for m in models.parse()][:2] == ["anthropic/claude-opus-4-5", "openai/gpt-4.1"]

    emb = client.embeddings.with_raw_response.create(model="e", input="hello")
    # The body is what the gateway sent (base64, as asked); parse() decodes it, as openai-python.
    assert isinstance(json.loads(emb.content)["data"][0]["embedding"], str)
    vector = emb.parse().data[0].embedding
    assert isinstance(vector, list) and len(vector) == 8 and all(isinstance(x, float) for x in vector)


def test_raw_response_through_chat(client: Any, aclient: Any, mock: Mock) -> None:
    raw = client.chat.with_raw_response.completions.create(model="m", messages=MSG)
    assert raw.status_code == 200 and raw.parse().choices[0].message.content == ANSWER
    with client.chat.with_streaming_response.completions.create(model="m", messages=MSG) as response:
        assert response.parse().choices[0].message.content == ANSWER
    araw = asyncio.run(aclient.chat.with_raw_response.completions.create(model="m", messages=MSG))
    assert araw.parse().choices[0].message.content == ANSWER


def test_raw_response_errors_raise_as_the_plain_call(client: Any, mock: Mock) -> None:
    mock.script([{"status": 404}])
    with pytest.raises(routerkit.NotFoundError) as e:
        client.with_options(max_retries=0).chat.completions.with_raw_response.create(model="m", messages=MSG)
    assert e.value.status_code == 404


def test_raw_response_async(aclient: Any, mock: Mock) -> None:
    async def main() -> List[Any]:
        raw = await aclient.chat.completions.with_raw_response.create(model="m", messages=MSG)
        stream_raw = await aclient.chat.completions.with_raw_response.create(model="m", messages=MSG, stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in stream_raw.parse() if c.choices])
        models = await aclient.models.with_raw_response.list()
        emb = await aclient.embeddings.with_raw_response.create(model="e", input="hello")
        return [
            raw.status_code,
            raw.request_id,
            raw.parse().choices[0].message.content,
            text,
            len(models.parse().data),
            len(emb.parse().data[0].embedding),
        ]

    assert asyncio.run(main()) == [200, "req_1", ANSWER, ANSWER, 4, 8]


# ---- with_streaming_response


def test_streaming_response_chat_and_stream(client: Any, mock: Mock) -> None:
    with client.chat.completions.with_streaming_response.create(model="m", messages=MSG) as response:
        assert isinstance(response, routerkit.APIResponse)
        assert response.status_code == 200 and response.headers.get("x-request-id") == "req_1"
        lines = list(response.iter_lines())
        assert json.loads("".join(lines))["choices"][0]["message"]["content"] == ANSWER
        assert response.parse().choices[0].message.content == ANSWER

    with client.chat.completions.with_streaming_response.create(model="m", messages=MSG, stream=True) as response:
        lines = [line for line in response.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[len("data: ") :]) for line in lines[:-1]]
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == ANSWER

    with client.chat.completions.with_streaming_response.create(model="m", messages=MSG, stream=True) as response:
        stream = response.parse()
        first = next(iter(stream))
        assert first.choices[0].delta.role == "assistant"
    # Leaving the block closes the stream (and its connection), as openai-python's does.
    assert response.is_closed

    with client.models.with_streaming_response.list() as response:
        assert len(response.json()["data"]) == 4  # type: ignore[index]
    with client.embeddings.with_streaming_response.create(model="e", input=["a", "b"]) as response:
        assert [len(e.embedding) for e in response.parse().data] == [8, 8]


def test_streaming_response_async(aclient: Any, mock: Mock) -> None:
    async def main() -> List[Any]:
        async with aclient.chat.completions.with_streaming_response.create(model="m", messages=MSG) as r1:
            content = (await r1.parse()).choices[0].message.content
        async with aclient.chat.completions.with_streaming_response.create(model="m", messages=MSG, stream=True) as r2:
            lines = [line async for line in r2.iter_lines() if line]
        async with aclient.models.with_streaming_response.list() as r3:
            n = len((await r3.json())["data"])
        async with aclient.embeddings.with_streaming_response.create(model="e", input="x") as r4:
            dims = len((await r4.parse()).data[0].embedding)
        return [r1.status_code, content, lines[-1], n, dims]

    assert asyncio.run(main()) == [200, ANSWER, "data: [DONE]", 4, 8]


# ---- routerkit.types


def test_types_import_paths() -> None:
    from routerkit.types import CompletionUsage, CreateEmbeddingResponse, Embedding, Model
    from routerkit.types.chat import (
        ChatCompletion,
        ChatCompletionChunk,
        ChatCompletionMessage,
        ChatCompletionMessageParam,
        ChatCompletionToolParam,
        ChatCompletionUserMessageParam,
    )
    from routerkit.types.chat.chat_completion import Choice
    from routerkit.types.chat.chat_completion_chunk import Choice as ChunkChoice
    from routerkit.types.chat.chat_completion_chunk import ChoiceDelta
    from routerkit.types.create_embedding_response import Usage
    from routerkit.types.shared_params import FunctionDefinition

    assert ChatCompletion is routerkit._types.ChatCompletion
    assert ChatCompletionChunk is routerkit._types.ChatCompletionChunk
    assert Choice is routerkit._types.Choice and ChunkChoice is routerkit._types.ChunkChoice
    assert (
        ChoiceDelta is routerkit._types.ChoiceDelta and ChatCompletionMessage is routerkit._types.ChatCompletionMessage
    )
    assert Usage is CompletionUsage and Embedding is routerkit._types.Embedding and Model is routerkit._types.Model
    assert CreateEmbeddingResponse is routerkit._types.CreateEmbeddingResponse
    # TypedDicts: plain dicts at run time, with the keys openai-python's have.
    user: ChatCompletionUserMessageParam = {"role": "user", "content": "hi"}
    message: ChatCompletionMessageParam = user
    tool: ChatCompletionToolParam = {
        "type": "function",
        "function": FunctionDefinition(name="f", parameters={"type": "object"}),
    }
    assert message == {"role": "user", "content": "hi"} and tool["function"]["name"] == "f"
    assert ChatCompletionUserMessageParam.__required_keys__ == frozenset({"role", "content"})
    assert ChatCompletionUserMessageParam.__optional_keys__ == frozenset({"name"})


def test_types_are_what_the_client_returns(client: Any, mock: Mock) -> None:
    from routerkit.types.chat import ChatCompletion, ChatCompletionChunk

    assert isinstance(client.chat.completions.create(model="m", messages=MSG), ChatCompletion)
    assert all(
        isinstance(c, ChatCompletionChunk) for c in client.chat.completions.create(model="m", messages=MSG, stream=True)
    )


def test_responses_types_import_paths(client: Any, mock: Mock) -> None:
    # openai-python's modules under openai.types.responses, for the names routerkit has: the
    # package and each module give the classes the client returns.
    from routerkit.types.responses import Response, ResponseOutputItem, ResponseStreamEvent, ResponseUsage
    from routerkit.types.responses.response import Response as ModuleResponse
    from routerkit.types.responses.response_output_item import ResponseOutputItem as ModuleOutputItem
    from routerkit.types.responses.response_stream_event import ResponseStreamEvent as ModuleStreamEvent
    from routerkit.types.responses.response_usage import ResponseUsage as ModuleUsage

    assert Response is ModuleResponse is routerkit._responses.Response
    assert ResponseOutputItem is ModuleOutputItem and ResponseStreamEvent is ModuleStreamEvent
    assert ResponseUsage is ModuleUsage and routerkit.types.responses.Response is Response
    response = client.responses.create(model="m", input="hi")
    assert isinstance(response, Response) and isinstance(response.usage, ResponseUsage)
    assert response.output and all(isinstance(item, ResponseOutputItem) for item in response.output)
    events = list(client.responses.create(model="m", input="hi", stream=True))
    assert events and all(isinstance(event, ResponseStreamEvent) for event in events)
    assert events[-1].type == "response.completed"


def test_responses_request_types(client: Any, mock: Mock) -> None:
    # The request side: each name in openai-python's module and in the package (the same object),
    # the keys openai-python requires, and a typed input sent as the caller built it.
    from routerkit.types.responses import (
        EasyInputMessageParam,
        FunctionToolParam,
        ResponseFunctionToolCallParam,
        ResponseInputImageParam,
        ResponseInputParam,
        ResponseInputTextParam,
        ResponseOutputMessageParam,
        ResponseReasoningItemParam,
        ToolParam,
    )
    from routerkit.types.responses.easy_input_message_param import EasyInputMessageParam as ModuleEasy
    from routerkit.types.responses.function_tool_param import FunctionToolParam as ModuleFunctionTool
    from routerkit.types.responses.response_input_item_param import FunctionCallOutput as ItemFunctionCallOutput
    from routerkit.types.responses.response_input_param import FunctionCallOutput, Message
    from routerkit.types.responses.response_reasoning_item_param import Content, Summary
    from routerkit.types.responses.tool_param import ToolParam as ModuleToolParam

    assert EasyInputMessageParam is ModuleEasy and FunctionToolParam is ModuleFunctionTool
    assert ToolParam is ModuleToolParam and FunctionCallOutput is ItemFunctionCallOutput
    assert EasyInputMessageParam.__required_keys__ == frozenset({"role", "content"})
    assert EasyInputMessageParam.__optional_keys__ == frozenset({"phase", "type"})
    assert FunctionToolParam.__required_keys__ == frozenset({"name", "parameters", "strict", "type"})
    assert "async" in FunctionToolParam.__optional_keys__
    assert ToolParam.__required_keys__ == FunctionToolParam.__required_keys__
    assert ResponseFunctionToolCallParam.__required_keys__ == frozenset({"arguments", "call_id", "name", "type"})
    assert FunctionCallOutput.__required_keys__ == frozenset({"output", "type"})
    assert Message.__required_keys__ == frozenset({"role", "content"})
    assert ResponseInputImageParam.__required_keys__ == frozenset({"detail", "type"})
    assert ResponseOutputMessageParam.__required_keys__ == frozenset({"id", "content", "role", "status", "type"})
    assert ResponseReasoningItemParam.__required_keys__ == frozenset({"id", "summary", "type"})
    assert Summary.__required_keys__ == Content.__required_keys__ == frozenset({"text", "type"})

    text: ResponseInputTextParam = {"type": "input_text", "text": "one two three"}
    conversation: ResponseInputParam = [
        {"role": "developer", "content": [text]},
        {"role": "user", "content": "one two three"},
        {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "done"},
    ]
    tools: List[ToolParam] = [{"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": None}]
    client.responses.create(model="m", input=conversation, tools=tools)
    body = mock.requests()[0]["body"]
    assert body["input"] == conversation and body["tools"] == tools


# ---- the module-level client


@pytest.fixture
def module_client(mock: Mock) -> Any:
    saved = {k: getattr(routerkit, k) for k in ("api_key", "base_url", "default_headers", "max_retries")}
    routerkit._module_client._reset_client()
    yield mock
    for k, v in saved.items():
        setattr(routerkit, k, v)
    routerkit._module_client._reset_client()


def test_module_client(module_client: Mock) -> None:
    mock = module_client
    routerkit.api_key = KEY
    routerkit.base_url = mock.base_url
    routerkit.default_headers = {"x-mock-session": mock.sid}
    r = routerkit.chat.completions.create(model="m", messages=MSG)
    assert r.choices[0].message.content == ANSWER
    assert [m.id for m in routerkit.models.list()][0] == "anthropic/claude-opus-4-5"
    assert len(routerkit.embeddings.create(model="e", input="x").data[0].embedding) == 8
    with routerkit.chat.completions.stream(model="m", messages=MSG) as s:
        assert s.get_final_completion().choices[0].message.content == ANSWER
    log = mock.requests()
    assert [r["path"] for r in log] == ["/v1/chat/completions", "/v1/models", "/v1/embeddings", "/v1/chat/completions"]
    assert {r["headers"]["authorization"] for r in log} == {f"Bearer {KEY}"}

    # A setting assigned later takes effect, as with openai-python.
    routerkit.api_key = "sk-other-key-0000"
    routerkit.chat.completions.create(model="m", messages=MSG)
    assert mock.requests()[-1]["headers"]["authorization"] == "Bearer sk-other-key-0000"


# ---- embeddings as openai-python sends them


def test_embeddings_default_base64_decoded(client: Any, mock: Mock) -> None:
    default = client.embeddings.create(model="e", input="hello")
    floats = client.embeddings.create(model="e", input="hello", encoding_format="float")
    b64 = client.embeddings.create(model="e", input="hello", encoding_format="base64")
    assert [r["body"].get("encoding_format") for r in mock.requests()] == ["base64", "float", "base64"]
    # float32 on the wire: the decoded values are the float32 nearest the floats the mock computes.
    as_f32 = [struct.unpack("<f", struct.pack("<f", x))[0] for x in floats.data[0].embedding]
    assert default.data[0].embedding == as_f32
    assert isinstance(b64.data[0].embedding, str)  # a chosen format is answered as given


def test_embeddings_default_base64_async(aclient: Any, mock: Mock) -> None:
    r = asyncio.run(aclient.embeddings.create(model="e", input=["a", "b"]))
    assert [len(e.embedding) for e in r.data] == [8, 8] and isinstance(r.data[0].embedding[0], float)
    assert mock.requests()[0]["body"]["encoding_format"] == "base64"


# ---- the key


@pytest.mark.parametrize(
    "key", ["", "a", "ab", "sk-1", "sk-12345", "sk-123456", "sk-1234567890abcdef", "sk-your-key-0123456789"]
)
def test_secret_never_shows_the_whole_key(key: str) -> None:
    shown = repr(_Secret(key))
    n = min(8, len(key) // 2)
    assert shown == repr(key[:n] + "…")
    assert key == "" or key not in shown[1:-2]
    assert str(_Secret(key)) == shown
    if key:  # the client's own mask (the engine's) follows the same rule
        client = routerkit.Client(api_key=key, base_url="http://127.0.0.1:9/v1")
        assert client.api_key == key[:n] + "…" and repr(key) not in repr(client)


def test_peer_constants() -> None:
    assert routerkit.DEFAULT_MAX_RETRIES == 2 and routerkit.DEFAULT_TIMEOUT.read == 600.0
    assert routerkit.not_given is routerkit.NOT_GIVEN and routerkit.VERSION == routerkit.__version__
    client = routerkit.Client(api_key="sk-x", base_url="http://127.0.0.1:9/v1")
    assert client.max_retries == routerkit.DEFAULT_MAX_RETRIES and client.timeout == routerkit.DEFAULT_TIMEOUT.read
