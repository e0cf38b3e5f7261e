# The simple endpoints gateways serve beside chat: legacy completions (plain and streamed) and
# moderations.
import os

from openai import OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]}, max_retries=0)

completion = client.completions.create(model="openai/gpt-3.5-turbo-instruct", prompt="Say hi", max_tokens=16)
print(completion.object, completion.choices[0].text, completion.choices[0].finish_reason)
print("usage:", completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens)

pieces = []
for event in client.completions.create(model="openai/gpt-3.5-turbo-instruct", prompt="Count to three", stream=True):
    if event.choices:
        pieces.append(event.choices[0].text or "")
print("streamed:", "".join(pieces), "events with text:", len([p for p in pieces if p]))

result = client.moderations.create(model="omni-moderation-latest", input=["a kind word", "I will attack"])
for r in result.results:
    flagged = sorted(name for name, on in r.categories.model_dump(by_alias=True).items() if on)
    print("flagged:", r.flagged, flagged, round(r.category_scores.violence, 2))
