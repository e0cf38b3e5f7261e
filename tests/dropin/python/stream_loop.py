# The stream loop every tutorial writes: choices[0] on every chunk, no guard.
import os

from openai import OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]})

stream = client.chat.completions.create(
    model="anthropic/claude-opus-4-5",
    messages=[{"role": "user", "content": "count to five"}],
    stream=True,
)
pieces = []
for chunk in stream:
    delta = chunk.choices[0].delta
    if delta.content is not None:
        pieces.append(delta.content)
    if chunk.choices[0].finish_reason:
        print("finish:", chunk.choices[0].finish_reason)
print(repr("".join(pieces)), len(pieces))

# Asking for usage: the last chunk has no choices, as the caller asked.
stream = client.chat.completions.create(
    model="anthropic/claude-opus-4-5",
    messages=[{"role": "user", "content": "count to five"}],
    stream=True,
    stream_options={"include_usage": True},
)
for chunk in stream:
    if chunk.choices:
        continue
    print("usage:", chunk.usage.prompt_tokens, chunk.usage.completion_tokens, chunk.usage.total_tokens)
