# One model by its gateway id, which holds a slash, and one the gateway does not serve.
import os

import openai
from openai import OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]}, max_retries=0)

model = client.models.retrieve("openai/gpt-4.1")
print("model:", model.id, model.object, model.owned_by)
try:
    client.models.retrieve("openai/no-such-model")
except openai.NotFoundError as e:
    print("not found:", type(e).__name__, e.status_code)
