"""Models: list what the gateway serves, then retrieve one by its id (ids contain a slash)."""

import os

from routerkit import NotFoundError, OpenAI

client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
)

for model in client.models.list():
    print(model.id)

model = client.models.retrieve("openai/gpt-4.1")
print(f"{model.id}: owned by {model.owned_by}, created {model.created}")

try:
    client.models.retrieve("nobody/no-such-model")
except NotFoundError as e:
    print(f"not found: {e.status_code}")
