// moderations.mjs: which inputs a moderation model flags (POST /moderations), and for what.
import OpenAI from "routerkit";

const client = new OpenAI({
  apiKey: process.env.THEROUTER_API_KEY,
  baseURL: process.env.THEROUTER_BASE_URL ?? "https://api.therouter.ai/v1",
});

async function main() {
  const inputs = ["Have a nice day.", "I will attack you, idiot."];
  const moderation = await client.moderations.create({ model: "omni-moderation-latest", input: inputs });
  moderation.results.forEach((result, i) => {
    const flagged = Object.entries(result.categories).filter(([, hit]) => hit).map(([name]) => name);
    console.log(`${JSON.stringify(inputs[i])}: flagged=${result.flagged} [${flagged.join(", ")}]`);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
