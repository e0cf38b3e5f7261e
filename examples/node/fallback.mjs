// fallback.mjs: a fallback chain and a hedged stream.
// fallbackModels are tried in order when a call fails before any output with a retryable error
// (after that model's own retries), a model-availability error, or a status of fallbackOnStatus;
// never after output. hedgeAfter (ms) starts the same stream on the chain's next model when no
// first token has come by then, keeps whichever answers first and closes the other.
import OpenAI, { APIError } from "routerkit";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
  maxRetries: 2,
  fallbackModels: ["anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash"],
  fallbackOnStatus: [400], // e.g. a context-length error that another model may take
});

try {
  const reply = await client.chat.completions.create({
    model: "openai/gpt-4.1",
    messages: [{ role: "user", content: "One sentence on merge sort." }],
  });
  console.log(`[${reply.model}] ${reply.choices[0].message.content}`);
} catch (err) {
  if (!(err instanceof APIError)) throw err;
  // Every model of the chain failed: the gateway's own verdict on the last one.
  console.error(
    `failed: ${err.status} retryable=${err.retryable} type=${err.errorType} availability=${err.availabilityCode}`,
  );
}

// A stream hedged after 2 s, on this call's own chain (it replaces the client's).
const stream = await client.chat.completions.create(
  {
    model: "openai/gpt-4.1",
    messages: [{ role: "user", content: "Count to five." }],
    stream: true,
  },
  { fallbackModels: ["anthropic/claude-sonnet-4.5"], hedgeAfter: 2_000 },
);
for await (const chunk of stream) {
  process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
}
console.log();
