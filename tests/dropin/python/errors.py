# Errors by class, as openai-python's docs catch them.
import json
import os

import openai
from openai import OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]}, max_retries=0)
MSG = [{"role": "user", "content": "hi"}]

for status in (400, 401, 403, 404, 409, 422, 429, 500, 503):
    step = {
        "status": status,
        "body": {"error": {"message": f"boom {status}", "type": "test_error", "code": f"c{status}"}},
    }
    try:
        client.chat.completions.create(model="m", messages=MSG, extra_headers={"x-mock-step": json.dumps(step)})
    except openai.RateLimitError as e:
        print("rate limited:", type(e).__name__, e.status_code, e.code, e.type)
    except openai.InternalServerError as e:
        print("server:", type(e).__name__, e.status_code, e.code)
    except openai.APIStatusError as e:
        print("status:", type(e).__name__, e.status_code, e.code, e.type, e.param, e.message)
        print("  body:", e.body, "request id:", e.request_id, e.response.status_code)
        print("  bases:", isinstance(e, openai.APIError), isinstance(e, openai.OpenAIError))

try:
    OpenAI(base_url="http://127.0.0.1:9/v1", max_retries=0).models.list()
except openai.APIConnectionError as e:
    print("connection:", type(e).__name__, isinstance(e, openai.APIError))

# A 429 retried until it succeeds (retry-after of 0 s): the call returns normally.
step = {"status": 429, "headers": {"retry-after": "0"}}
try:
    client.with_options(max_retries=2).chat.completions.create(
        model="m", messages=MSG, extra_headers={"x-mock-step": json.dumps(step)}
    )
except openai.RateLimitError as e:
    print("still rate limited after retries:", e.status_code)
