# The module-level client, as the pre-1.0 style and many scripts still use it.
import os

import openai

openai.api_key = os.environ["OPENAI_API_KEY"]
openai.base_url = os.environ["OPENAI_BASE_URL"] + "/"
openai.default_headers = {"x-mock-session": os.environ["MOCK_SESSION"]}
openai.max_retries = 1

completion = openai.chat.completions.create(model="m", messages=[{"role": "user", "content": "module level"}])
print(completion.choices[0].message.content)
print([m.id for m in openai.models.list()][:2])
print(len(openai.embeddings.create(model="e", input="x").data[0].embedding))
for chunk in openai.chat.completions.create(model="m", messages=[{"role": "user", "content": "a b"}], stream=True):
    if chunk.choices and chunk.choices[0].delta.content:
        print("piece:", repr(chunk.choices[0].delta.content))
try:
    openai.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}], extra_headers={"x-mock-step": '{"status": 404}'}
    )
except openai.NotFoundError as e:
    print("not found:", e.status_code)
