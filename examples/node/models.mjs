// models.mjs: list what the gateway serves, then retrieve one by its id (ids contain a slash).
import OpenAI from "routerkit";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
});

async function main() {
  for await (const model of client.models.list()) console.log(model.id);

  const model = await client.models.retrieve("openai/gpt-4.1");
  console.log(`${model.id}: owned by ${model.owned_by}, created ${model.created}`);

  try {
    await client.models.retrieve("nobody/no-such-model");
  } catch (e) {
    if (!(e instanceof OpenAI.NotFoundError)) throw e;
    console.log(`not found: ${e.status}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
