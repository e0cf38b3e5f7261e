# Timeouts: a client-wide timeout, a per-request one, and with_options.
import json
import os
import time

import openai
from openai import OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]}, timeout=0.5, max_retries=0)
MSG = [{"role": "user", "content": "slow"}]
slow = {"x-mock-step": json.dumps({"delay_headers_ms": 3000})}

t0 = time.monotonic()
try:
    client.chat.completions.create(model="m", messages=MSG, extra_headers=slow)
except openai.APITimeoutError as e:
    print("timed out:", type(e).__name__, isinstance(e, openai.APIConnectionError), time.monotonic() - t0 < 2.5)

try:
    client.chat.completions.create(model="m", messages=MSG, extra_headers=slow, timeout=0.3)
except openai.APITimeoutError:
    print("per-request timeout")

patient = client.with_options(timeout=10.0)
quick = {"x-mock-step": json.dumps({"delay_headers_ms": 700})}
print(patient.chat.completions.create(model="m", messages=MSG, extra_headers=quick).choices[0].message.content)
print(patient.timeout, client.timeout, patient.max_retries)

# A stream that stalls after two chunks: the read timeout ends it.
stalled = {"x-mock-step": json.dumps({"stream": {"content": "a b c d", "stall_after": 2, "stall_ms": 5000}})}
got = []
try:
    for chunk in client.chat.completions.create(model="m", messages=MSG, stream=True, extra_headers=stalled):
        got.append(chunk.choices[0].delta.content)
except openai.APITimeoutError:
    print("stream timed out after", got)
except openai.APIConnectionError as e:
    print("stream cut after", got, type(e).__name__)
