"""OpenTelemetry spans from routerkit's route receipts, with the GenAI semantic conventions.

routerkit has no OpenTelemetry dependency: the client's ``on_receipt`` hook gets each call's
receipt when the call ends (a response, an error, a stream's end or close), and this program turns
it into a span. Install the SDK beside it: ``pip install -r examples/python/otel/requirements.txt``.
"""

import os
import time

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from routerkit import OpenAI, Receipt

provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
trace.set_tracer_provider(provider)
tracer = trace.get_tracer("routerkit.example")


def on_receipt(r: Receipt) -> None:
    # The hook runs when the call has ended: the span is backdated to the call's start.
    end = time.time_ns()
    start = end - int((r.total_time_ms or 0.0) * 1_000_000)
    span = tracer.start_span(f"chat {r.model_requested}", kind=SpanKind.CLIENT, start_time=start)
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.system": "openai",  # the wire protocol; the provider that served is below
        "gen_ai.request.model": r.model_requested,
        "gen_ai.response.model": r.model,
        "gen_ai.response.id": r.generation_id,
        "gen_ai.usage.input_tokens": r.input_tokens,
        "gen_ai.usage.output_tokens": r.output_tokens,
        "routerkit.provider": r.provider,
        "routerkit.request_id": r.request_id,
        "routerkit.attempts": len(r.attempts),
        "routerkit.fallback": r.fallback.fired,
        "routerkit.time_to_first_token_ms": r.time_to_first_token_ms,
        "routerkit.cost": r.cost,
    }
    span.set_attributes({k: v for k, v in attributes.items() if v is not None})
    for i, a in enumerate(r.attempts):
        span.add_event("attempt", {"n": i + 1, "status": a.status or 0, "delay_ms": a.delay_ms, "error": a.error or ""})
    failed = next((a.error for a in reversed(r.attempts) if a.error), None)
    if failed and not r.model:
        span.set_attribute("error.type", failed)
        span.set_status(Status(StatusCode.ERROR))
    span.end(end_time=end)


client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
    on_receipt=on_receipt,
)

completion = client.chat.completions.create(
    model="openai/gpt-4.1",
    messages=[{"role": "user", "content": "Say hi in five words."}],
)
print(completion.choices[0].message.content)

with client.chat.completions.create(
    model="anthropic/claude-opus-4-5",
    messages=[{"role": "user", "content": "Count to three."}],
    stream=True,
) as stream:
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
print(text)
r = stream.receipt
assert r is not None
print(f"[stream: {r.output_tokens} tokens, first token after {r.time_to_first_token_ms:.1f} ms]")
