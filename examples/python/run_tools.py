"""The tool runner: the model calls Python functions until it can answer.

openai-python has no tool runner; routerkit adds openai-node's ``runTools`` as
``client.chat.completions.run_tools`` (sync here; ``AsyncOpenAI`` takes coroutines too).
The key comes from THEROUTER_API_KEY (environment or .env); THEROUTER_BASE_URL picks the gateway.
"""

import json
import os

from routerkit import OpenAI

client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
)


def get_weather(args: dict) -> dict:
    # A dict (or a pydantic model) goes back to the model as JSON; a str as is.
    return {"city": args["city"], "forecast": "sunny, 24 °C"}


runner = client.chat.completions.run_tools(
    model="openai/gpt-4.1",
    messages=[{"role": "user", "content": "Should I take an umbrella in Paris today?"}],
    tools=[
        {
            "type": "function",
            "function": {
                "function": get_weather,
                "parse": json.loads,  # a parse error goes back to the model, which may try again
                "description": "The weather forecast for a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            },
        }
    ],
    max_chat_completions=5,
)

for event in runner:
    if event.type == "function_tool_call":
        print(f"-> {event.function_call.name}({event.function_call.arguments})")
    elif event.type == "function_tool_call_result":
        print(f"<- {event.content}")

print(runner.final_content())
print(f"[{len(runner.all_chat_completions())} completions, {runner.total_usage().total_tokens} tokens]")
