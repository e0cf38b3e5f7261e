"""Headers next to the result: rate-limit headers, the request id, the status.

Written as for openai-python (`with_raw_response`, `with_streaming_response`); only the import
comes from routerkit. THEROUTER_API_KEY and THEROUTER_BASE_URL pick the key and the gateway.
"""

from routerkit import OpenAI
from routerkit.types.chat import ChatCompletionMessageParam

client = OpenAI()  # THEROUTER_API_KEY / THEROUTER_BASE_URL (or OPENAI_*), or a .env file
messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Name three prime numbers."}]

raw = client.chat.completions.with_raw_response.create(model="openai/gpt-4.1", messages=messages)
print("status:", raw.status_code, "request id:", raw.request_id, "retries:", raw.retries_taken)
for name in ("x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens", "content-type"):
    print(f"  {name}: {raw.headers.get(name)}")
completion = raw.parse()
print(completion.choices[0].message.content)

# The body as it arrives, line by line: a stream's SSE events.
with client.chat.completions.with_streaming_response.create(
    model="openai/gpt-4.1", messages=messages, stream=True
) as response:
    events = [line for line in response.iter_lines() if line.startswith("data: ")]
print(len(events), "events, the last:", events[-1])
