// raw-response.mjs: headers next to the result (withResponse) and the raw fetch Response (asResponse).
// Run: THEROUTER_API_KEY=sk-... node raw-response.mjs   (THEROUTER_BASE_URL picks another gateway)
import OpenAI from "routerkit";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
});

/** @type {OpenAI.Chat.Completions.ChatCompletionMessageParam[]} */
const messages = [{ role: "user", content: "Name three prime numbers." }];

const { data, response, request_id } = await client.chat.completions
  .create({ model: "openai/gpt-4.1", messages })
  .withResponse();
console.log("status:", response.status, "request id:", request_id);
for (const name of ["x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens", "content-type"]) {
  console.log(`  ${name}: ${response.headers.get(name)}`);
}
console.log(data.choices[0].message.content);

// The raw body of a stream, as the gateway's SSE events.
const raw = await client.chat.completions.create({ model: "openai/gpt-4.1", messages, stream: true }).asResponse();
const events = (await raw.text()).split("\n").filter((line) => line.startsWith("data: "));
console.log(events.length, "events, the last:", events.at(-1));
