"""Legacy text completions (POST /completions): one answer, then the same streamed.

Written as for openai-python; only the import comes from routerkit.
"""

import os

from routerkit import OpenAI

client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
)

completion = client.completions.create(
    model="openai/gpt-3.5-turbo-instruct", prompt="Write a haiku about routers.", max_tokens=64
)
print(completion.choices[0].text)
print(f"[finish: {completion.choices[0].finish_reason}, {completion.usage.total_tokens} tokens]")

# A completions stream: each event carries a piece of choices[0].text (no delta, unlike chat).
stream = client.completions.create(model="openai/gpt-3.5-turbo-instruct", prompt="Count to five.", stream=True)
for event in stream:
    if event.choices:
        print(event.choices[0].text, end="", flush=True)
print()
