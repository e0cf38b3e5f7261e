# The stream helper: events, text deltas, the final completion.
import json
import os

from openai import OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]})
tool_call = {"stream": {"tool_calls": [{"name": "get_weather", "arguments": '{"city": "Paris"}'}]}}

with client.chat.completions.stream(
    model="openai/gpt-4.1",
    messages=[{"role": "user", "content": "tell me a story"}],
) as stream:
    kinds = []
    for event in stream:
        kinds.append(event.type)
        if event.type == "content.delta":
            print("delta:", repr(event.delta), "snapshot:", repr(event.snapshot))
        elif event.type == "content.done":
            print("done:", repr(event.content))
    final = stream.get_final_completion()
print(sorted(set(kinds)))
print(final.choices[0].message.content, final.choices[0].finish_reason)

with client.chat.completions.stream(
    model="openai/gpt-4.1",
    messages=[{"role": "user", "content": "call the tool"}],
    tools=[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
    extra_headers={"x-mock-step": json.dumps(tool_call)},
) as stream:
    for event in stream:
        if event.type == "tool_calls.function.arguments.done":
            print("tool:", event.name, event.index, event.arguments)
    message = stream.get_final_completion().choices[0].message
print(message.tool_calls[0].id, message.tool_calls[0].function.name, message.tool_calls[0].function.arguments)
