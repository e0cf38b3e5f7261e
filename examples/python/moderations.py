"""Moderations (POST /moderations): which inputs a moderation model flags, and for what."""

import os

from routerkit import OpenAI

client = OpenAI(
    api_key=os.environ["THEROUTER_API_KEY"],
    base_url=os.environ.get("THEROUTER_BASE_URL", "https://api.therouter.ai/v1"),
)

inputs = ["Have a nice day.", "I will attack you, idiot."]
moderation = client.moderations.create(model="omni-moderation-latest", input=inputs)
for text, result in zip(inputs, moderation.results):
    flagged = [name for name, hit in result.categories.model_dump(by_alias=True).items() if hit]
    print(f"{text!r}: flagged={result.flagged} {flagged}")
