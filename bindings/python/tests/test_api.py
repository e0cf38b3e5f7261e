"""The openai-python-shaped surface against the mock: parameters, options, results,
streams, the stream helper's events, errors and their attributes."""

from __future__ import annotations

import asyncio
import json
import pickle
from typing import Any

import pytest
import routerkit
from conftest import Mock

MSG = [{"role": "user", "content": "hello"}]


def test_result_objects(mock: Mock, client: Any) -> None:
    r = client.chat.completions.create(model="openai/gpt-4.1", messages=MSG, max_tokens=5, temperature=0)
    assert r.choices[0].message.content == "Hello from routerkit-mock! You said: hello"
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].message.tool_calls is None
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    assert r._request_id == "req_1" and r._attempts == 1
    d = r.model_dump()
    assert d["choices"][0]["message"]["content"] == r.choices[0].message.content
    assert json.loads(r.model_dump_json()) == d == r.to_dict()
    # Pickled before its receipt is read: the engine's receipt crosses as its JSON text.
    again = pickle.loads(pickle.dumps(r))
    assert again == r
    assert again.receipt.to_dict() == r.receipt.to_dict() and r.receipt.model == "openai/gpt-4.1"
    assert r.no_such_field is None  # absent fields read as None, like openai-python's optional ones
    with pytest.raises(AttributeError):
        _ = r._private
    assert type(r.choices[0].message).__name__ == "ChatCompletionMessage"
    assert isinstance(r.choices[0].message, routerkit.BaseModel)
    assert routerkit.BaseModel({"a": {"b": 1}}).a.b == 1
    # The body reached the wire as given, zero values included.
    body = mock.requests()[0]["body"]
    assert body["temperature"] == 0 and body["max_tokens"] == 5 and body["model"] == "openai/gpt-4.1"


def test_gateway_fields_pass_through_both_ways(mock: Mock, client: Any) -> None:
    mock.script(
        [
            {
                "body": {
                    "id": "x",
                    "object": "chat.completion",
                    "created": 1,
                    "model": "m",
                    "provider": "Anthropic",
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": "ok", "reasoning": "thought"},
                        }
                    ],
                }
            }
        ]
    )
    r = client.chat.completions.create(
        model="m", messages=MSG, provider={"order": ["a"]}, models=["x", "y"], transforms=["middle-out"]
    )
    assert r.provider == "Anthropic" and r.choices[0].message.reasoning == "thought"
    body = mock.requests()[0]["body"]
    assert (
        body["provider"] == {"order": ["a"]} and body["models"] == ["x", "y"] and body["transforms"] == ["middle-out"]
    )


def test_messages_may_hold_response_objects(mock: Mock, client: Any) -> None:
    r = client.chat.completions.create(model="m", messages=MSG)
    client.chat.completions.create(
        model="m", messages=[*MSG, r.choices[0].message, {"role": "user", "content": "more"}]
    )
    sent = mock.requests()[1]["body"]["messages"]
    assert sent[1] == {"role": "assistant", "content": r.choices[0].message.content}


def test_not_given_is_left_out(mock: Mock, client: Any) -> None:
    client.chat.completions.create(model="m", messages=MSG, tools=routerkit.NOT_GIVEN, temperature=None)
    body = mock.requests()[0]["body"]
    assert "tools" not in body and "temperature" not in body


def test_extra_headers_query_body_and_default_query(mock: Mock) -> None:
    c = routerkit.Client(**mock.client_kwargs(default_query={"a": "1"}))
    c.chat.completions.create(
        model="m",
        messages=MSG,
        extra_headers={"X-Title": "app"},
        extra_query={"b": 2},
        extra_body={"reasoning": {"effort": "high"}},
    )
    req = mock.requests()[0]
    assert req["headers"]["x-title"] == "app"
    assert "a=1" in req["query"] and "b=2" in req["query"]
    assert req["body"]["reasoning"] == {"effort": "high"}
    assert req["headers"]["authorization"].startswith("Bearer sk-test-")


def test_with_options_shares_and_overrides(mock: Mock, client: Any) -> None:
    mock.script([{"status": 500}] * 10)
    quick = client.with_options(max_retries=0)
    with pytest.raises(routerkit.InternalServerError) as info:
        quick.chat.completions.create(model="m", messages=MSG)
    assert info.value.attempts == 1
    assert quick.max_retries == 0 and client.max_retries == 2
    with pytest.raises(TypeError):
        client.with_options(nonsense=1)


@pytest.mark.parametrize(
    "status,cls",
    [
        (400, routerkit.BadRequestError),
        (401, routerkit.AuthenticationError),
        (403, routerkit.PermissionDeniedError),
        (404, routerkit.NotFoundError),
        (409, routerkit.ConflictError),
        (422, routerkit.UnprocessableEntityError),
        (429, routerkit.RateLimitError),
        (500, routerkit.InternalServerError),
        (503, routerkit.InternalServerError),
        (418, routerkit.APIStatusError),
    ],
)
def test_status_errors_by_class(mock: Mock, status: int, cls: type) -> None:
    mock.script([{"status": status, "headers": {"x-should-retry": "false"}}])
    c = routerkit.Client(**mock.client_kwargs())
    with pytest.raises(cls) as info:
        c.chat.completions.create(model="m", messages=MSG)
    e = info.value
    assert type(e) is cls
    assert (
        isinstance(e, routerkit.APIStatusError)
        and isinstance(e, routerkit.APIError)
        and isinstance(e, routerkit.OpenAIError)
    )
    assert e.status_code == status and e.response.status_code == status
    assert e.request_id == "req_1" and e.response.headers["X-Request-Id"] == "req_1"
    assert isinstance(e.body, dict) and e.body["message"] == e.message.split(" - ", 1)[1]
    assert e.attempts == 1


def test_rate_limit_carries_retry_after_and_attempts(mock: Mock, client: Any) -> None:
    mock.script([{"status": 429, "headers": {"retry-after": "0.05"}}] * 3)
    with pytest.raises(routerkit.RateLimitError) as info:
        client.chat.completions.create(model="m", messages=MSG)
    assert info.value.attempts == 3 and info.value.retry_after == pytest.approx(0.05)
    assert len(mock.requests()) == 3


def test_retry_then_success_reports_attempts(mock: Mock, client: Any) -> None:
    mock.script([{"status": 503}, {"status": 502}])
    r = client.chat.completions.create(model="m", messages=MSG)
    assert r._attempts == 3


def test_timeout_is_a_connection_error(mock: Mock) -> None:
    mock.script([{"delay_headers_ms": 2000}] * 3)
    c = routerkit.Client(**mock.client_kwargs(max_retries=0))
    with pytest.raises(routerkit.APITimeoutError) as info:
        c.chat.completions.create(model="m", messages=MSG, timeout=0.2)
    assert isinstance(info.value, routerkit.APIConnectionError)


def test_connection_error(mock: Mock) -> None:
    c = routerkit.Client(api_key="sk-test-1234567890", base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(routerkit.APIConnectionError) as info:
        c.models.list()
    assert not isinstance(info.value, routerkit.APITimeoutError)


def test_stream_chunks_usage_and_metadata(mock: Mock, client: Any) -> None:
    stream = client.chat.completions.create(model="m", messages=MSG, stream=True)
    assert isinstance(stream, routerkit.Stream)
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello from routerkit-mock! You said: hello"
    # Usage was asked for by the engine, not the caller: its choices: [] chunk is not handed over.
    assert all(c.choices for c in chunks) and all(c.usage is None for c in chunks)
    assert stream.usage is not None and stream.usage.total_tokens > 0
    assert stream.response.request_id == "req_1" and stream._attempts == 1
    assert mock.requests()[0]["body"]["stream_options"] == {"include_usage": True}


def test_stream_usage_chunk_when_the_caller_asks(mock: Mock, client: Any) -> None:
    chunks = list(
        client.chat.completions.create(model="m", messages=MSG, stream=True, stream_options={"include_usage": True})
    )
    assert chunks[-1].usage.total_tokens > 0 and chunks[-1].choices == []


def test_stream_error_event_raises_after_the_chunks(mock: Mock, client: Any) -> None:
    mock.script(
        [
            {
                "stream": {
                    "content": "a b c d",
                    "error_after": 2,
                    "error_event": {"error": {"message": "provider overloaded", "code": 502}},
                }
            }
        ]
    )
    got = []
    with pytest.raises(routerkit.APIStreamError) as info:
        for c in client.chat.completions.create(model="m", messages=MSG, stream=True):
            got.append(c)
    assert len(got) == 2
    assert "provider overloaded" in str(info.value) and info.value.code == "502"
    assert isinstance(info.value, routerkit.APIError)


def test_stream_cut_short_is_an_error(mock: Mock, client: Any) -> None:
    mock.script([{"stream": {"content": "a b c", "done": False, "finish_reason": None}}])
    with pytest.raises(routerkit.APIStreamError):
        list(client.chat.completions.create(model="m", messages=MSG, stream=True))


def test_stream_helper_events_with_tool_calls(mock: Mock, client: Any) -> None:
    mock.script(
        [
            {
                "stream": {
                    "content": "let me check",
                    "tool_calls": [
                        {"id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'},
                        {"id": "call_2", "name": "get_time", "arguments": ""},
                    ],
                }
            }
        ]
    )
    with client.chat.completions.stream(
        model="m", messages=MSG, tools=[{"type": "function", "function": {"name": "get_weather"}}]
    ) as s:
        events = list(s)
        final = s.get_final_completion()
    types = [e.type for e in events]
    assert "chunk" in types and "content.delta" in types and "content.done" in types
    deltas = [e for e in events if e.type == "content.delta"]
    assert deltas[-1].snapshot == "let me check"
    done = [e for e in events if e.type == "tool_calls.function.arguments.done"]
    assert [(e.name, e.index, e.arguments) for e in done] == [
        ("get_weather", 0, '{"city":"Paris"}'),
        ("get_time", 1, ""),
    ]
    arg_deltas = [e for e in events if e.type == "tool_calls.function.arguments.delta" and e.index == 0]
    assert arg_deltas[-1].arguments == '{"city":"Paris"}'
    calls = final.choices[0].message.tool_calls
    assert [c.function.name for c in calls] == ["get_weather", "get_time"]
    assert calls[1].function.arguments == "{}"
    assert final.choices[0].finish_reason == "tool_calls"
    assert final._request_id == "req_1"


def test_stream_helper_text_stream_and_reasoning(mock: Mock, client: Any) -> None:
    mock.script([{"stream": {"content": "x y z", "reasoning": "think hard", "reasoning_field": "reasoning_content"}}])
    with client.chat.completions.stream(model="m", messages=MSG) as s:
        text = "".join(s.text_stream)
        final = s.get_final_completion()
    assert text == "x y z"
    assert final.choices[0].message.content == "x y z"
    assert (
        final.choices[0].message.reasoning_content == "think hard" or final.choices[0].message.reasoning == "think hard"
    )
    assert final.usage.total_tokens > 0
    assert s.current_completion_snapshot.choices[0].message.content == "x y z"


def test_models_and_embeddings(mock: Mock, client: Any) -> None:
    models = client.models.list()
    ids = [m.id for m in models]
    assert "openai/gpt-4.1" in ids and len(models.data) == len(ids)
    e = client.embeddings.create(model="openai/text-embedding-3-small", input=["a", "b"])
    assert len(e.data) == 2 and all(isinstance(x, float) for x in e.data[0].embedding)
    assert e.data[1].index == 1


def test_async_surface(mock: Mock, aclient: Any) -> None:
    async def main() -> None:
        r = await aclient.chat.completions.create(model="m", messages=MSG)
        assert r.choices[0].message.content.endswith("hello") and r._request_id
        stream = await aclient.chat.completions.create(model="m", messages=MSG, stream=True)
        assert isinstance(stream, routerkit.AsyncStream)
        text = ""
        async with stream:
            async for c in stream:
                if c.choices:
                    text += c.choices[0].delta.content or ""
        assert text.endswith("hello")
        async with aclient.chat.completions.stream(model="m", messages=MSG) as s:
            pieces = [t async for t in s.text_stream]
            final = await s.get_final_completion()
        assert "".join(pieces) == final.choices[0].message.content
        models = await aclient.models.list()
        assert len(models) > 0
        assert [m.id async for m in aclient.models.list()] == [m.id for m in models]
        e = await aclient.embeddings.create(model="e", input="a")
        assert e.data[0].embedding
        mock.script([{"status": 404, "headers": {"x-should-retry": "false"}}])
        with pytest.raises(routerkit.NotFoundError):
            await aclient.chat.completions.create(model="m", messages=MSG)
        with pytest.raises(TypeError):
            await aclient.chat.completions.create(model="m", messages=MSG, temperature="hot")
        await aclient.close()

    asyncio.run(main())


def test_async_client_in_two_event_loops(mock: Mock, aclient: Any) -> None:
    for _ in range(2):
        r = asyncio.run(aclient.chat.completions.create(model="m", messages=MSG))
        assert r.choices[0].message.content
