// chat.mjs: one chat completion through an OpenAI-compatible gateway.
// Run: THEROUTER_API_KEY=sk-... node chat.mjs   (THEROUTER_BASE_URL picks another gateway)
import OpenAI from "routerkit";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
});

async function main() {
  const response = await client.chat.completions.create({
    model: "anthropic/claude-opus-4-5",
    messages: [{ role: "user", content: "Show how to read a file in Node.js" }],
    max_tokens: 512,
  });

  console.log(response.choices[0].message.content);
}

main().catch(console.error);
