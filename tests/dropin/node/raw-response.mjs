// .asResponse() (a fetch Response) and .withResponse() ({ data, response, request_id }).
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION } });
const body = { model: 'm', messages: [{ role: 'user', content: 'raw please' }] };

const response = await client.chat.completions.create(body, { headers: { 'x-mock-step': '{"headers":{"x-ratelimit-remaining":"42"}}' } }).asResponse();
console.log(response instanceof Response, response.status, response.ok, response.statusText);
console.log(response.headers.get('x-request-id'), response.headers.get('X-RateLimit-Remaining'), response.headers.get('content-type'));
const json = await response.json();
console.log(json.object, json.choices[0].message.content);

const { data, response: raw, request_id } = await client.chat.completions.create(body).withResponse();
console.log(data.choices[0].message.content, raw.status, request_id, raw.headers.get('x-request-id'));

const text = await (await client.models.list().asResponse()).text();
console.log(JSON.parse(text).data.map((m) => m.id).join(','));

const streamed = await client.chat.completions.create({ ...body, stream: true }).asResponse();
console.log(streamed.status, streamed.headers.get('content-type'));
const events = (await streamed.text()).split('\n').filter((l) => l.startsWith('data: '));
console.log(events.length, events.at(-1));
console.log(events.slice(0, -1).map((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.content ?? '').join(''));

const withStream = await client.chat.completions.create({ ...body, stream: true }).withResponse();
let n = 0;
for await (const chunk of withStream.data) n += chunk.choices.length;
console.log(withStream.response.status, withStream.request_id, n);

const emb = await client.embeddings.create({ model: 'e', input: 'x' }).withResponse();
console.log(emb.response.status, emb.data.data[0].embedding.length);
const embRaw = await (await client.embeddings.create({ model: 'e', input: 'x' }).asResponse()).json();
console.log(typeof embRaw.data[0].embedding);
