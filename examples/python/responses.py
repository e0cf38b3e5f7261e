"""The Responses API: a plain answer, a function call, and a streamed answer with the helper."""

import json
import os

from routerkit import OpenAI

client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
)

response = client.responses.create(model="openai/gpt-4.1", input="Name three prime numbers.")
print(response.output_text)

weather = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
response = client.responses.create(
    model="openai/gpt-4.1", input="Weather in Paris?", tools=[weather], tool_choice="required"
)
for item in response.output:
    if item.type == "function_call":
        print(f"call {item.name}({json.loads(item.arguments)})")

with client.responses.stream(model="openai/gpt-4.1", input="What does an event loop do?") as stream:
    for event in stream:
        if event.type == "response.output_text.delta":
            print(event.delta, end="", flush=True)
    print()
    final = stream.get_final_response()
if final.usage is not None:
    print(f"[{final.usage.total_tokens} tokens]")
