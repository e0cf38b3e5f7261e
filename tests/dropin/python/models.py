# Listing models: iterate the page, read .data.
import os

from openai import OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]})

for model in client.models.list():
    print(model.id, model.object, model.owned_by)
page = client.models.list()
print(len(page.data), page.data[0].id, [m.id for m in page.data if m.id.startswith("openai/")])
print(sorted(page.data[1].model_dump(exclude_none=True)))
