// Timeouts: the client's, a request's, withOptions; a stalled stream.
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION }, timeout: 500, maxRetries: 0 });
const body = { model: 'm', messages: [{ role: 'user', content: 'slow' }] };
const slow = { 'x-mock-step': JSON.stringify({ delay_headers_ms: 3000 }) };

let t0 = Date.now();
const e1 = await client.chat.completions.create(body, { headers: slow }).catch((e) => e);
console.log(e1.constructor.name, e1 instanceof OpenAI.APIConnectionError, Date.now() - t0 < 2500);
const e2 = await client.chat.completions.create(body, { headers: slow, timeout: 300 }).catch((e) => e);
console.log('per request:', e2.constructor.name);
const patient = client.withOptions({ timeout: 10_000 });
const quick = { 'x-mock-step': JSON.stringify({ delay_headers_ms: 700 }) };
console.log((await patient.chat.completions.create(body, { headers: quick })).choices[0].message.content);
console.log(patient.timeout, client.timeout, patient.maxRetries, OpenAI.DEFAULT_TIMEOUT);
