// completions.mjs: legacy text completions (POST /completions), then the same streamed.
import OpenAI from "routerkit";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
});

async function main() {
  const completion = await client.completions.create({
    model: "openai/gpt-3.5-turbo-instruct",
    prompt: "Write a haiku about routers.",
    max_tokens: 64,
  });
  console.log(completion.choices[0].text);
  console.log(`[finish: ${completion.choices[0].finish_reason}, ${completion.usage?.total_tokens} tokens]`);

  // A completions stream: each event carries a piece of choices[0].text (no delta, unlike chat).
  const stream = await client.completions.create({ model: "openai/gpt-3.5-turbo-instruct", prompt: "Count to five.", stream: true });
  for await (const event of stream) {
    if (event.choices.length) process.stdout.write(event.choices[0].text);
  }
  console.log();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
