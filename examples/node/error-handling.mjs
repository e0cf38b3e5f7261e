// error-handling.mjs: timeout and retries set once on the client, errors told apart by status.
import OpenAI, { APIError } from "routerkit";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
  timeout: 60_000, // 60 s
  maxRetries: 3,
});

async function safeChat(model, prompt) {
  try {
    const response = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: prompt }],
      max_tokens: 1024,
    });
    return response.choices[0].message.content;
  } catch (err) {
    if (err instanceof APIError) {
      console.error(`API error ${err.status}: ${err.message}`);
      if (err.status === 429) {
        console.error("Rate limited: try again later");
      } else if (err.status >= 500) {
        console.error("Server error: safe to retry");
      }
    }
    throw err;
  }
}

const result = await safeChat("google/gemini-2.5-pro", "What is a Promise?");
console.log(result);
