// responses.mjs: the Responses API: a plain answer, a function call, a streamed answer.
import OpenAI from "routerkit";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
});

async function main() {
  const response = await client.responses.create({ model: "openai/gpt-4.1", input: "Name three prime numbers." });
  console.log(response.output_text);

  const withTools = await client.responses.create({
    model: "openai/gpt-4.1",
    input: "Weather in Paris?",
    tools: [
      {
        type: "function",
        name: "get_weather",
        description: "The weather in a city",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        strict: false,
      },
    ],
    tool_choice: "required",
  });
  for (const item of withTools.output) {
    if (item.type === "function_call") console.log(`call ${item.name}(${item.arguments})`);
  }

  const stream = client.responses.stream({ model: "openai/gpt-4.1", input: "What does an event loop do?" });
  stream.on("response.output_text.delta", (event) => process.stdout.write(event.delta ?? ""));
  const final = await stream.finalResponse();
  console.log(`\n[${final.usage?.total_tokens} tokens]`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
