"""Structured outputs: the answer as a pydantic model, a refusal, a tool's parsed arguments, and
the stream helper's parsed content (openai-python's `parse`, on routerkit)."""

import os
from typing import List

import routerkit
from pydantic import BaseModel
from routerkit import OpenAI

client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
)


class Step(BaseModel):
    explanation: str
    output: str


class MathReasoning(BaseModel):
    steps: List[Step]
    final_answer: str


class GetWeather(BaseModel):
    """The weather in a city."""

    city: str
    days: int


messages = [
    {"role": "system", "content": "You are a helpful math tutor. Guide the user through the solution step by step."},
    {"role": "user", "content": "how can I solve 8x + 7 = -23"},
]
try:
    completion = client.chat.completions.parse(model="openai/gpt-4.1", messages=messages, response_format=MathReasoning)
    message = completion.choices[0].message
    if message.parsed is not None:
        for step in message.parsed.steps:
            print(f"- {step.explanation} => {step.output}")
        print("answer:", message.parsed.final_answer)
    else:
        print("refused:", message.refusal)
except routerkit.LengthFinishReasonError:
    print("the answer was cut off by the token limit")
except routerkit.OutputValidationError as e:
    print(f"the answer does not match the schema at {e.param!r}: {e}")

completion = client.chat.completions.parse(
    model="openai/gpt-4.1",
    messages=[{"role": "user", "content": "What's the weather in Paris for the next 3 days?"}],
    tools=[routerkit.pydantic_function_tool(GetWeather)],
    tool_choice="required",
)
for call in completion.choices[0].message.tool_calls or []:
    print("call:", call.function.name, call.function.parsed_arguments)

with client.chat.completions.stream(model="openai/gpt-4.1", messages=messages, response_format=MathReasoning) as stream:
    for event in stream:
        if event.type == "content.done":
            print("streamed answer:", event.parsed.final_answer)
