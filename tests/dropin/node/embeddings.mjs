// Embeddings: openai-node asks for base64 by default and decodes it; a given format is kept.
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION } });

const r = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: 'The quick brown fox' });
console.log(Array.isArray(r.data[0].embedding), r.data[0].embedding.length, r.data[0].embedding.map((x) => x.toFixed(6)).join(' '));
console.log(r.object, r.model, r.data[0].object, r.data[0].index, JSON.stringify(r.usage));
const floats = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['first', 'second'], encoding_format: 'float', dimensions: 4 });
console.log(floats.data.map((d) => d.embedding.length), floats.data[1].embedding.map((x) => x.toFixed(6)).join(' '));
const b64 = await client.embeddings.create({ model: 'm', input: 'raw', encoding_format: 'base64' });
console.log(typeof b64.data[0].embedding, b64.data[0].embedding);
const log = await (await fetch(`${process.env.MOCK_URL}/__mock/sessions/${process.env.MOCK_SESSION}/requests`)).json();
console.log(log.map((e) => e.body.encoding_format));
