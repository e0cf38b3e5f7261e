"""A fallback chain and a hedged stream.

``fallback_models`` are tried in order when a call fails before any output with a
retryable error (after that model's own retries), a model-availability error, or a
status listed in ``fallback_on_status``; never after output. ``hedge_after`` starts the
same stream on the chain's next model when no first token has come by then, keeps
whichever answers first and closes the other. The gateway's typed error body decides
retries too: ``err.retryable``, ``err.error_type`` and ``err.availability_code`` say why.
"""

import os

from routerkit import APIStatusError, OpenAI

client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
    max_retries=2,
    fallback_models=["anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash"],
    fallback_on_status=[400],  # e.g. a context-length error that another model may take
)

try:
    reply = client.chat.completions.create(
        model="openai/gpt-4.1",
        messages=[{"role": "user", "content": "One sentence on merge sort."}],
    )
    print(f"[{reply.model}] {reply.choices[0].message.content}")
except APIStatusError as e:
    # Every model of the chain failed: the gateway's own verdict on the last one.
    print(f"failed: {e.status_code} retryable={e.retryable} type={e.error_type} availability={e.availability_code}")

# A stream hedged after 2 s, on this call's own chain (it replaces the client's).
stream = client.chat.completions.create(
    model="openai/gpt-4.1",
    messages=[{"role": "user", "content": "Count to five."}],
    stream=True,
    fallback_models=["anthropic/claude-sonnet-4.5"],
    hedge_after=2.0,
)
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="", flush=True)
print()
