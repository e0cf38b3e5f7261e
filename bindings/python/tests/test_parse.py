"""Structured outputs with pydantic models, as openai-python code writes them: the strict schema
sent, ``parsed`` as a model instance, ``pydantic_function_tool``'s ``parsed_arguments``,
``responses.parse(text_format=...)``, the ``beta`` alias, the peers' error classes. The
language-neutral checks (JSON, schema, finish reasons, refusal) are scenarios 210-221."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List, Optional

import pydantic
import pytest
import routerkit
from conftest import Mock

MSG = [{"role": "user", "content": "solve 8x + 31 = 2"}]


class Step(pydantic.BaseModel):
    explanation: str
    output: str


class MathReasoning(pydantic.BaseModel):
    steps: List[Step]
    final_answer: str
    note: Optional[str] = None


class GetWeather(pydantic.BaseModel):
    """The weather in a city."""

    city: str
    days: int


ANSWER = {"steps": [{"explanation": "Subtract 31.", "output": "8x = -29"}], "final_answer": "x = -29/8", "note": None}


def completion(message: Dict[str, Any], finish: str = "stop") -> Dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }


def test_strict_schema_is_openai_pythons() -> None:
    schema = routerkit._parsing.to_strict_json_schema(MathReasoning)
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["steps", "final_answer", "note"]
    assert "default" not in schema["properties"]["note"]
    step = schema["$defs"]["Step"]
    assert step["additionalProperties"] is False and step["required"] == ["explanation", "output"]
    assert schema["properties"]["steps"]["items"] == {"$ref": "#/$defs/Step"}


def test_parse_gives_a_model_instance_and_sends_the_strict_schema(mock: Mock, client: Any) -> None:
    mock.script([{"body": completion({"content": json.dumps(ANSWER)})}])
    r = client.chat.completions.parse(model="m", messages=MSG, response_format=MathReasoning)
    parsed = r.choices[0].message.parsed
    assert isinstance(parsed, MathReasoning)
    assert parsed.steps[0].output == "8x = -29" and parsed.note is None
    assert r.choices[0].message.refusal is None
    sent = mock.requests()[0]["body"]["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["name"] == "MathReasoning" and sent["json_schema"]["strict"] is True
    assert sent["json_schema"]["schema"] == routerkit._parsing.to_strict_json_schema(MathReasoning)


def test_beta_alias_and_async(mock: Mock, aclient: Any) -> None:
    mock.script([{"body": completion({"content": json.dumps(ANSWER)})}])

    async def go() -> Any:
        return await aclient.beta.chat.completions.parse(model="m", messages=MSG, response_format=MathReasoning)

    r = asyncio.run(go())
    assert isinstance(r.choices[0].message.parsed, MathReasoning)


def test_a_mismatch_is_a_typed_error_naming_the_path(mock: Mock, client: Any) -> None:
    bad = {"steps": [{"explanation": "x"}], "final_answer": "y", "note": None}
    mock.script([{"body": completion({"content": json.dumps(bad)})}])
    with pytest.raises(routerkit.OutputValidationError) as info:
        client.chat.completions.parse(model="m", messages=MSG, response_format=MathReasoning)
    assert info.value.code == "schema_mismatch" and info.value.param == "/steps/0"
    assert isinstance(info.value, ValueError) and not isinstance(info.value, routerkit.APIError)


def test_what_only_the_models_validators_reject_raises_pydantics_error(mock: Mock, client: Any) -> None:
    class Positive(pydantic.BaseModel):
        n: int

        @pydantic.field_validator("n")
        @classmethod
        def positive(cls, v: int) -> int:
            if v <= 0:
                raise ValueError("must be positive")
            return v

    mock.script([{"body": completion({"content": '{"n": -1}'})}])
    with pytest.raises(pydantic.ValidationError):
        client.chat.completions.parse(model="m", messages=MSG, response_format=Positive)


def test_length_and_content_filter_are_the_peers_errors(mock: Mock, client: Any) -> None:
    mock.script([{"body": completion({"content": '{"st'}, "length")}, {"body": completion({}, "content_filter")}])
    with pytest.raises(routerkit.LengthFinishReasonError) as info:
        client.chat.completions.parse(model="m", messages=MSG, response_format=MathReasoning)
    assert info.value.completion.choices[0].finish_reason == "length"
    assert "length limit was reached" in str(info.value) and info.value.attempts == 1
    with pytest.raises(routerkit.ContentFilterFinishReasonError):
        client.chat.completions.parse(model="m", messages=MSG, response_format=MathReasoning)


def test_refusal_leaves_parsed_none(mock: Mock, client: Any) -> None:
    mock.script([{"body": completion({"content": None, "refusal": "I can't."})}])
    r = client.chat.completions.parse(model="m", messages=MSG, response_format=MathReasoning)
    assert r.choices[0].message.parsed is None and r.choices[0].message.refusal == "I can't."


def test_pydantic_function_tool_gives_parsed_arguments(mock: Mock, client: Any) -> None:
    tool = routerkit.pydantic_function_tool(GetWeather)
    assert tool["function"]["name"] == "GetWeather" and tool["function"]["strict"] is True
    assert tool["function"]["description"] == "The weather in a city."
    call = {
        "id": "c1",
        "type": "function",
        "function": {"name": "GetWeather", "arguments": '{"city":"Paris","days":3}'},
    }
    mock.script([{"body": completion({"content": None, "tool_calls": [call]}, "tool_calls")}])
    r = client.chat.completions.parse(model="m", messages=MSG, tools=[tool])
    args = r.choices[0].message.tool_calls[0].function.parsed_arguments
    assert isinstance(args, GetWeather) and args.days == 3
    sent = mock.requests()[0]["body"]["tools"][0]["function"]
    assert sent["parameters"]["additionalProperties"] is False and sent["strict"] is True


def test_responses_parse_text_format(mock: Mock, client: Any) -> None:
    body = {
        "id": "resp_1",
        "object": "response",
        "status": "completed",
        "model": "m",
        "output": [
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": json.dumps(ANSWER), "annotations": []}],
            }
        ],
    }
    mock.script([{"body": body}])
    r = client.responses.parse(model="m", input="solve", text_format=MathReasoning)
    assert isinstance(r.output_parsed, MathReasoning) and r.output_parsed.final_answer == "x = -29/8"
    assert r.output[0].content[0].parsed == r.output_parsed
    fmt = mock.requests()[0]["body"]["text"]["format"]
    assert fmt["type"] == "json_schema" and fmt["name"] == "MathReasoning" and fmt["strict"] is True
    assert fmt["schema"]["additionalProperties"] is False


def test_stream_helper_with_a_model_gives_parsed_on_content_done(mock: Mock, client: Any) -> None:
    text = json.dumps(ANSWER)
    mock.script(
        [{"stream": {"content": text, "pieces": 3}}, {"stream": {"content": text[:10], "finish_reason": "length"}}]
    )
    with client.chat.completions.stream(model="m", messages=MSG, response_format=MathReasoning) as stream:
        done = [e for e in stream if e.type == "content.done"]
        final = stream.get_final_completion()
    assert len(done) == 1 and isinstance(done[0].parsed, MathReasoning)
    assert done[0].parsed.final_answer == "x = -29/8"
    assert final.choices[0].message.parsed == done[0].parsed
    assert mock.requests()[0]["body"]["response_format"]["json_schema"]["name"] == "MathReasoning"
    with pytest.raises(routerkit.LengthFinishReasonError):
        with client.chat.completions.stream(model="m", messages=MSG, response_format=MathReasoning) as stream:
            for _ in stream:
                pass


def test_async_stream_helper_with_a_model(mock: Mock, aclient: Any) -> None:
    mock.script([{"stream": {"content": json.dumps(ANSWER), "pieces": 2}}])

    async def go() -> Any:
        async with aclient.chat.completions.stream(model="m", messages=MSG, response_format=MathReasoning) as stream:
            async for _ in stream:
                pass
            return await stream.get_final_completion()

    final = asyncio.run(go())
    assert isinstance(final.choices[0].message.parsed, MathReasoning)


def test_responses_stream_with_text_format_gives_parsed_on_output_text_done(mock: Mock, client: Any) -> None:
    text = json.dumps(ANSWER)
    mock.script([{"stream": {"content": text, "pieces": 3}}])
    with client.responses.stream(model="m", input="solve", text_format=MathReasoning) as stream:
        events = []
        for e in stream:
            events.append(e)
            # Mid-stream the text is a part of the JSON: the snapshot is not parsed.
            assert stream.current_response_snapshot().output_parsed is None
        final = stream.get_final_response()
    done = [e for e in events if e.type == "response.output_text.done"]
    completed = [e for e in events if e.type == "response.completed"]
    assert len(done) == 1 and isinstance(done[0].parsed, MathReasoning)
    assert done[0].parsed.final_answer == "x = -29/8"
    assert completed[0].response.output_parsed == done[0].parsed
    assert final.output_parsed == done[0].parsed and final.output[0].content[0].parsed == done[0].parsed
    fmt = mock.requests()[0]["body"]["text"]["format"]
    assert fmt["type"] == "json_schema" and fmt["name"] == "MathReasoning" and fmt["strict"] is True


def test_responses_stream_schema_mismatch_raises_in_place_of_output_text_done(mock: Mock, client: Any) -> None:
    mismatch = {"steps": [], "final_answer": 7, "note": None}
    mock.script([{"stream": {"content": json.dumps(mismatch), "pieces": 2}}])
    seen: List[str] = []
    with pytest.raises(routerkit.OutputValidationError) as info:
        with client.responses.stream(model="m", input="solve", text_format=MathReasoning) as stream:
            for e in stream:
                seen.append(e.type)
    assert info.value.param == "/final_answer"
    assert seen[-1] == "response.output_text.delta" and "response.output_text.done" not in seen


def test_async_responses_stream_with_text_format(mock: Mock, aclient: Any) -> None:
    mock.script([{"stream": {"content": json.dumps(ANSWER), "pieces": 2}}])

    async def go() -> Any:
        async with aclient.responses.stream(model="m", input="solve", text_format=MathReasoning) as stream:
            async for _ in stream:
                pass
            return await stream.get_final_response()

    final = asyncio.run(go())
    assert isinstance(final.output_parsed, MathReasoning)


def test_responses_stream_without_a_format_is_a_plain_stream(mock: Mock, client: Any) -> None:
    mock.script([{"stream": {"content": "not json", "pieces": 2}}])
    with client.responses.stream(model="m", input="hi") as stream:
        final = stream.get_final_response()
    assert final.output_text == "not json" and final.output_parsed is None
