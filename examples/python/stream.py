"""Print an answer as it is generated, with the chat stream helper's text_stream."""

import os

from routerkit import OpenAI

client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
)

with client.chat.completions.stream(
    model="openai/gpt-4.1",
    messages=[{"role": "user", "content": "What does an event loop do, in three sentences?"}],
    max_tokens=400,
) as stream:
    for piece in stream.text_stream:
        print(piece, end="", flush=True)
    print()
    final = stream.get_final_completion()

if final.usage is not None:
    print(f"[{final.usage.total_tokens} tokens]")
