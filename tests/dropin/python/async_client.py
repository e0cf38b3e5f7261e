# AsyncOpenAI: gather, async streams, async stream helper, raw responses.
import asyncio
import os

from openai import AsyncOpenAI

client = AsyncOpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]})


async def ask(text: str) -> str:
    r = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": text}])
    return r.choices[0].message.content


async def main() -> None:
    print(await asyncio.gather(ask("one"), ask("two"), ask("three")))
    stream = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x y"}], stream=True)
    print([chunk.choices[0].delta.content async for chunk in stream if chunk.choices])
    async with client.chat.completions.stream(model="m", messages=[{"role": "user", "content": "helper"}]) as s:
        async for event in s:
            if event.type == "content.done":
                print("done:", event.content)
    async for model in client.models.list():
        print(model.id)
    emb = await client.embeddings.create(model="e", input="x")
    print(len(emb.data[0].embedding))
    raw = await client.chat.completions.with_raw_response.create(model="m", messages=[{"role": "user", "content": "r"}])
    print(raw.status_code, raw.parse().choices[0].message.content)
    async with client.models.with_streaming_response.list() as response:
        print(response.status_code, len((await response.json())["data"]))


asyncio.run(main())
