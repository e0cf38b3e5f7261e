# Raw responses: headers and status next to the parsed object, and streamed bodies.
import json
import os

from openai import OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]})
MSG = [{"role": "user", "content": "headers please"}]

raw = client.chat.completions.with_raw_response.create(
    model="m", messages=MSG, extra_headers={"x-mock-step": json.dumps({"headers": {"x-ratelimit-remaining": "42"}})}
)
print(raw.status_code, raw.headers.get("x-request-id"), raw.headers["X-RateLimit-Remaining"], raw.request_id)
print(raw.headers.get("content-type"), raw.retries_taken)
completion = raw.parse()
print(completion.choices[0].message.content)
print(json.loads(raw.text)["object"], json.loads(raw.content)["usage"])

raw = client.chat.completions.with_raw_response.create(model="m", messages=MSG, stream=True)
print(raw.status_code, raw.headers.get("content-type"))
print("".join(chunk.choices[0].delta.content or "" for chunk in raw.parse() if chunk.choices))

models = client.models.with_raw_response.list()
print(models.status_code, models.request_id, len(models.parse().data))
emb = client.embeddings.with_raw_response.create(model="e", input="x")
print(emb.status_code, len(emb.parse().data[0].embedding))

with client.chat.completions.with_streaming_response.create(model="m", messages=MSG) as response:
    print(response.status_code, response.headers.get("x-request-id"))
    print(response.parse().choices[0].message.content)

with client.chat.completions.with_streaming_response.create(model="m", messages=MSG, stream=True) as response:
    print(response.status_code, response.headers.get("content-type"))
    events = [line for line in response.iter_lines() if line.startswith("data: ")]
    print(len(events), events[-1])
    print("".join(json.loads(e[6:])["choices"][0]["delta"].get("content") or "" for e in events[:-1]))

with client.models.with_streaming_response.list() as response:
    print(response.status_code, [m["id"] for m in response.json()["data"]])
