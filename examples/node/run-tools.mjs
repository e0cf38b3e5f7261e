// run-tools.mjs: the tool runner (openai-node's runTools): the model calls JavaScript
// functions until it can answer. Run: THEROUTER_API_KEY=sk-... node run-tools.mjs
import OpenAI from "routerkit";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
});

async function getWeather(args) {
  // An object goes back to the model as JSON; a string as is.
  return { city: args.city, forecast: "sunny, 24 °C" };
}

async function main() {
  const runner = client.chat.completions
    .runTools(
      {
        model: "openai/gpt-4.1",
        messages: [{ role: "user", content: "Should I take an umbrella in Paris today?" }],
        tools: [
          {
            type: "function",
            function: {
              function: getWeather,
              parse: JSON.parse, // a parse error goes back to the model, which may try again
              description: "The weather forecast for a city",
              parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            },
          },
        ],
      },
      { maxChatCompletions: 5 },
    )
    .on("functionToolCall", (call) => console.log(`-> ${call.name}(${call.arguments})`))
    .on("functionToolCallResult", (result) => console.log(`<- ${result}`));

  console.log(await runner.finalContent());
  const usage = await runner.totalUsage();
  console.log(`[${runner.allChatCompletions().length} completions, ${usage.total_tokens} tokens]`);
}

main().catch(console.error);
