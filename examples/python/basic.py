"""One chat completion through an OpenAI-compatible gateway.

Written as for openai-python; only the import comes from routerkit. The key comes
from THEROUTER_API_KEY (environment or .env); THEROUTER_BASE_URL picks the gateway.
"""

import os

from routerkit import OpenAI

client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
)

completion = client.chat.completions.create(
    model="anthropic/claude-opus-4-5",
    messages=[
        {"role": "system", "content": "You are a concise Python tutor."},
        {"role": "user", "content": "Show binary search in Python with comments."},
    ],
    max_tokens=800,
)

print(completion.choices[0].message.content)
print(f"[{completion.usage.total_tokens} tokens, request {completion._request_id}]")
