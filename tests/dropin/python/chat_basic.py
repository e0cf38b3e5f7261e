# A chat completion, printed field by field (openai-python's quickstart).
import os

from openai import OpenAI

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]})

completion = client.chat.completions.create(
    model="openai/gpt-4.1",
    messages=[
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Say hello in three words"},
    ],
    temperature=0.2,
    max_tokens=20,
)
print(completion.id, completion.object, completion.created, completion.model)
choice = completion.choices[0]
print(choice.index, choice.finish_reason, choice.message.role)
print(choice.message.content)
print(choice.message.tool_calls, choice.message.refusal)
print(completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens)
print(completion._request_id)
print(sorted(completion.model_dump(exclude_none=True)))
print(completion.choices[0].message.model_dump(exclude_none=True))
