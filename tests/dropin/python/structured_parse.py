# Structured outputs with pydantic, as openai-python's docs write them: parse() to a model, a
# refusal, a tool from pydantic_function_tool, the finish-reason errors, the stream helper's
# parsed content, responses.parse(text_format=...), the Responses stream helper with text_format,
# and the async client.
import asyncio
import json
import os
from typing import List, Optional

import pydantic

import openai
from openai import AsyncOpenAI, OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]}, max_retries=0)
MSG = [{"role": "system", "content": "You are a math tutor."}, {"role": "user", "content": "solve 8x + 31 = 2"}]


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


def step(message, finish="stop"):
    body = {
        "id": "chatcmpl-parse",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "openai/gpt-4.1",
        "choices": [{"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
    }
    return {"x-mock-step": json.dumps({"body": body})}


completion = client.chat.completions.parse(
    model="openai/gpt-4.1",
    messages=MSG,
    response_format=MathReasoning,
    extra_headers=step({"content": json.dumps(ANSWER)}),
)
message = completion.choices[0].message
print(type(message.parsed).__name__, message.parsed.final_answer, message.parsed.steps[0].output, message.refusal)
print(message.parsed.model_dump())

refused = client.chat.completions.parse(
    model="openai/gpt-4.1",
    messages=MSG,
    response_format=MathReasoning,
    extra_headers=step({"content": None, "refusal": "I can't help with that."}),
)
print("refusal:", refused.choices[0].message.parsed, refused.choices[0].message.refusal)

call = {"id": "call_1", "type": "function", "function": {"name": "GetWeather", "arguments": '{"city": "Paris", "days": 3}'}}
with_tool = client.chat.completions.parse(
    model="openai/gpt-4.1",
    messages=[{"role": "user", "content": "Weather in Paris for 3 days?"}],
    tools=[openai.pydantic_function_tool(GetWeather)],
    extra_headers=step({"content": None, "tool_calls": [call]}, "tool_calls"),
)
args = with_tool.choices[0].message.tool_calls[0].function.parsed_arguments
print("tool:", type(args).__name__, args.city, args.days)

for finish, error in (("length", openai.LengthFinishReasonError), ("content_filter", openai.ContentFilterFinishReasonError)):
    try:
        client.chat.completions.parse(
            model="openai/gpt-4.1", messages=MSG, response_format=MathReasoning, extra_headers=step({"content": '{"st'}, finish)
        )
    except error as e:
        print(finish, "->", type(e).__name__, isinstance(e, openai.OpenAIError), isinstance(e, openai.APIError))

try:
    client.chat.completions.parse(
        model="openai/gpt-4.1",
        messages=MSG,
        response_format=MathReasoning,
        extra_headers=step({"content": json.dumps({"steps": [{"explanation": "x"}], "final_answer": "y", "note": None})}),
    )
except ValueError:
    # pydantic's ValidationError on openai-python, routerkit's OutputValidationError: both ValueErrors.
    print("a mismatched answer is rejected")

stream_step = {"x-mock-step": json.dumps({"stream": {"content": json.dumps(ANSWER), "pieces": 4}})}
with client.chat.completions.stream(
    model="openai/gpt-4.1", messages=MSG, response_format=MathReasoning, extra_headers=stream_step
) as stream:
    for event in stream:
        if event.type == "content.done":
            print("content.done:", type(event.parsed).__name__, event.parsed.final_answer)
    final = stream.get_final_completion()
print("final:", type(final.choices[0].message.parsed).__name__, final.choices[0].message.parsed == MathReasoning(**ANSWER))

response_body = {
    "id": "resp_parse",
    "object": "response",
    "created_at": 1700000000,
    "status": "completed",
    "model": "openai/gpt-4.1",
    "output": [
        {
            "type": "message",
            "id": "msg_1",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": json.dumps(ANSWER), "annotations": []}],
        }
    ],
    "usage": {
        "input_tokens": 5,
        "output_tokens": 9,
        "total_tokens": 14,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens_details": {"reasoning_tokens": 0},
    },
}
response = client.responses.parse(
    model="openai/gpt-4.1",
    input="solve 8x + 31 = 2",
    text_format=MathReasoning,
    extra_headers={"x-mock-step": json.dumps({"body": response_body})},
)
print("responses:", type(response.output_parsed).__name__, response.output_parsed.final_answer)

response_stream_step = {"x-mock-step": json.dumps({"stream": {"content": json.dumps(ANSWER), "pieces": 3}})}
with client.responses.stream(
    model="openai/gpt-4.1", input="solve 8x + 31 = 2", text_format=MathReasoning, extra_headers=response_stream_step
) as response_stream:
    for event in response_stream:
        if event.type == "response.output_text.done":
            print("output_text.done:", type(event.parsed).__name__, event.parsed.final_answer)
        elif event.type == "response.completed":
            print("completed:", type(event.response.output_parsed).__name__)
    streamed = response_stream.get_final_response()
print("responses stream:", type(streamed.output_parsed).__name__, streamed.output_parsed == MathReasoning(**ANSWER))

mismatch = {"steps": [], "final_answer": 7}
mismatch_step = {"x-mock-step": json.dumps({"stream": {"content": json.dumps(mismatch), "pieces": 2}})}
seen = []
try:
    with client.responses.stream(
        model="openai/gpt-4.1", input="solve 8x + 31 = 2", text_format=MathReasoning, extra_headers=mismatch_step
    ) as response_stream:
        for event in response_stream:
            seen.append(event.type)
except ValueError:
    # Raised where the text is whole: in place of response.output_text.done on both SDKs.
    print("a mismatched streamed answer is rejected after", seen)


async def main() -> None:
    aclient = AsyncOpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]}, max_retries=0)
    r = await aclient.chat.completions.parse(
        model="openai/gpt-4.1", messages=MSG, response_format=MathReasoning, extra_headers=step({"content": json.dumps(ANSWER)})
    )
    print("async:", type(r.choices[0].message.parsed).__name__, r.choices[0].message.parsed.note)


asyncio.run(main())
