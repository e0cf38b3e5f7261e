// Listing models: auto-pagination with for await, and the page's data.
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION } });

for await (const model of client.models.list()) console.log(model.id, model.object, model.owned_by);
const page = await client.models.list();
console.log(page.data.length, page.data[0].id, page.data.filter((m) => m.id.startsWith('openai/')).map((m) => m.id));
console.log(page.hasNextPage(), page.getPaginatedItems().length);
