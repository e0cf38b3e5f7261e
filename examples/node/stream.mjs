// stream.mjs: print the answer as it arrives, then the token count.
import OpenAI from "routerkit";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
});

async function streamChat() {
  const stream = client.chat.completions.stream({
    model: "openai/gpt-4.1",
    messages: [{ role: "user", content: "Explain the JavaScript event loop" }],
    max_tokens: 512,
  });

  stream.on("content", (delta) => {
    process.stdout.write(delta);
  });

  const finalMessage = await stream.finalMessage();
  console.log("\n\n[done] total tokens:", finalMessage.usage?.total_tokens);
}

streamChat().catch(console.error);
