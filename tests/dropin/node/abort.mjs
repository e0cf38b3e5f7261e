// Stopping a stream: controller.abort() in the loop, the caller's signal, break, the helper's abort.
import OpenAI from 'openai';

const client = new OpenAI({ defaultHeaders: { 'x-mock-session': process.env.MOCK_SESSION } });
const body = { model: 'm', messages: [{ role: 'user', content: 'one two three four five six seven' }], stream: true };

async function count(stream, stopAt, stop) {
  let n = 0;
  try {
    for await (const _ of stream) {
      n += 1;
      if (n === stopAt) stop();
    }
    return `ended quietly after ${n}`;
  } catch (err) {
    return `threw ${err.constructor.name} after ${n}`;
  }
}

const s1 = await client.chat.completions.create(body);
console.log('controller.abort():', await count(s1, 2, () => s1.controller.abort()));
const ac = new AbortController();
const s2 = await client.chat.completions.create(body, { signal: ac.signal });
console.log('signal:', await count(s2, 3, () => ac.abort()));
const s3 = await client.chat.completions.create(body);
let n = 0;
for await (const _ of s3) if (++n === 2) break;
console.log('break:', n, s3.controller.signal.aborted);
const early = new AbortController();
early.abort();
console.log('aborted before:', await client.chat.completions.create(body, { signal: early.signal }).then(() => 'created', (e) => e.constructor.name));
const helper = client.chat.completions.stream(body);
helper.on('abort', (e) => console.log('helper abort event:', e.constructor.name));
console.log('helper:', await count(helper, 2, () => helper.controller.abort()), helper.aborted);
console.log('helper final:', await helper.finalChatCompletion().then(() => 'ok', (e) => e.constructor.name));
