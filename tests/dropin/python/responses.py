# The Responses API as openai-python's README writes it: create and output_text, a function call
# item and its output sent back, reasoning items, create(stream=True) looping over the events, and
# the responses.stream helper with get_final_response().
import json
import os

from openai import OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]})
MODEL = "openai/gpt-4.1"

response = client.responses.create(model=MODEL, input="Name three prime numbers.")
print(response.object, response.status, response.id.startswith("resp_"), response.model)
print(response.output_text)
print([item.type for item in response.output], [part.type for part in response.output[0].content])
print(response.usage.input_tokens, response.usage.output_tokens, response.usage.total_tokens)

response = client.responses.create(
    model="openai/o4-mini",
    instructions="Answer in one line.",
    input=[{"role": "user", "content": "What is a monad?"}],
    reasoning={"effort": "low", "summary": "auto"},
)
print([item.type for item in response.output])
print([part.text for item in response.output if item.type == "reasoning" for part in item.summary])
print(response.output_text)

weather = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city", "days"],
    },
}
question = [{"role": "user", "content": "Weather in Paris?"}]
response = client.responses.create(model=MODEL, input=question, tools=[weather], tool_choice="required")
calls = [item for item in response.output if item.type == "function_call"]
for call in calls:
    print(call.type, call.call_id, call.name, json.loads(call.arguments))
print(repr(response.output_text))

# The call's result goes back as input items, as the function-calling guide does it.
follow_up = question + [call.model_dump(exclude_none=True) for call in calls]
follow_up += [{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"} for call in calls]
response = client.responses.create(model=MODEL, input=follow_up, tools=[weather])
print(response.output_text)

stream = client.responses.create(model=MODEL, input="Count to three", stream=True)
types, deltas = [], []
for event in stream:
    types.append(event.type)
    if event.type == "response.output_text.delta":
        deltas.append(event.delta)
    elif event.type == "response.completed":
        print("completed:", event.response.status, event.response.output_text)
print("".join(deltas))
print(types)

with client.responses.stream(model=MODEL, input="What does an event loop do?") as stream:
    for event in stream:
        if event.type == "response.output_text.done":
            print("text done:", event.text)
    final = stream.get_final_response()
print(final.status, final.output_text, final.usage.total_tokens)

with client.responses.stream(model=MODEL, input="Weather in Oslo?", tools=[weather], tool_choice="required") as stream:
    pieces = [event.delta for event in stream if event.type == "response.function_call_arguments.delta"]
    final = stream.get_final_response()
print(len(pieces), "".join(pieces))
print([(item.type, item.name, item.arguments) for item in final.output if item.type == "function_call"])
