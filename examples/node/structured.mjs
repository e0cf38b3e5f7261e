// structured.mjs: structured outputs with zod: the answer parsed to the schema's type, a refusal,
// a tool's parsed arguments, and the stream helper's parsed content (openai-node's `parse`).
import OpenAI from "routerkit";
import { LengthFinishReasonError, OutputValidationError } from "routerkit/error";
import { zodFunction, zodResponseFormat } from "routerkit/helpers/zod";
import { z } from "zod";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
});

const Step = z.object({ explanation: z.string(), output: z.string() });
const MathReasoning = z.object({ steps: z.array(Step), final_answer: z.string() });
/** @type {import("routerkit").ChatCompletionMessageParam[]} */
const messages = [
  { role: "system", content: "You are a helpful math tutor. Guide the user through the solution step by step." },
  { role: "user", content: "how can I solve 8x + 7 = -23" },
];

async function main() {
  try {
    const completion = await client.chat.completions.parse({
      model: "openai/gpt-4.1",
      messages,
      response_format: zodResponseFormat(MathReasoning, "math_reasoning"),
    });
    const message = completion.choices[0]?.message;
    if (message?.parsed) {
      for (const step of message.parsed.steps) console.log(`- ${step.explanation} => ${step.output}`);
      console.log("answer:", message.parsed.final_answer);
    } else {
      console.log("refused:", message?.refusal);
    }
  } catch (e) {
    if (e instanceof LengthFinishReasonError) console.log("the answer was cut off by the token limit");
    else if (e instanceof OutputValidationError) console.log(`the answer does not match the schema at ${e.param}: ${e.message}`);
    else throw e;
  }

  const weather = zodFunction({ name: "get_weather", parameters: z.object({ city: z.string(), days: z.number() }) });
  const withTool = await client.chat.completions.parse({
    model: "openai/gpt-4.1",
    messages: [{ role: "user", content: "What's the weather in Paris for the next 3 days?" }],
    tools: [weather],
    tool_choice: "required",
  });
  for (const call of withTool.choices[0]?.message.tool_calls ?? []) console.log("call:", call.function.name, call.function.parsed_arguments);

  const stream = client.chat.completions.stream({ model: "openai/gpt-4.1", messages, response_format: zodResponseFormat(MathReasoning, "math_reasoning") });
  stream.on("content.done", (event) => console.log("streamed answer:", JSON.stringify(event.parsed)));
  await stream.finalChatCompletion();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
