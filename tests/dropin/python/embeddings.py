# Embeddings: the default request (openai-python asks for base64 and decodes it), then float.
import json
import os
import urllib.request

from openai import OpenAI

session = os.environ["MOCK_SESSION"]
client = OpenAI(default_headers={"x-mock-session": session})

r = client.embeddings.create(model="openai/text-embedding-3-small", input="The food was delicious")
vector = r.data[0].embedding
print(type(vector).__name__, len(vector), [round(x, 6) for x in vector])
print(r.object, r.model, r.data[0].object, r.data[0].index, r.usage.prompt_tokens, r.usage.total_tokens)

r = client.embeddings.create(
    model="openai/text-embedding-3-small", input=["first", "second"], encoding_format="float", dimensions=4
)
print([len(d.embedding) for d in r.data], [round(x, 6) for x in r.data[1].embedding])

r = client.embeddings.create(model="m", input="raw", encoding_format="base64")
print(type(r.data[0].embedding).__name__, r.data[0].embedding)

# What the gateway was asked for.
with urllib.request.urlopen(os.environ["MOCK_URL"] + f"/__mock/sessions/{session}/requests") as log:
    print([entry["body"].get("encoding_format") for entry in json.load(log)])
