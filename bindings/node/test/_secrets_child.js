'use strict';
// Run by hardening.test.js in a child process with ROUTERKIT_LOG=debug: triggers every error
// kind with the key echoed back, formats everything, prints each text on stdout.
// usage: node _secrets_child.js MOCK_URL KEY

const util = require('node:util');
const OpenAI = require('..');

const [url, KEY] = process.argv.slice(2);
const MSG = [{ role: 'user', content: 'hello' }];
const texts = [];
const kinds = new Set();
let n = 0;

async function session(steps) {
  const sid = `node-secrets-${process.pid}-${++n}`;
  const r = await fetch(`${url}/__mock/sessions/${sid}/script`, { method: 'POST', body: JSON.stringify(steps) });
  if (!r.ok) throw new Error(await r.text());
  return sid;
}

function client(sid, o = {}) {
  return new OpenAI({ apiKey: KEY, baseURL: `${url}/v1`, defaultHeaders: { 'x-mock-session': sid }, initialRetryDelay: 1, maxRetryDelay: 2, ...o });
}

function forms(x) {
  texts.push(util.inspect(x, { depth: 10, showHidden: true }), util.inspect(x), String(x));
  try {
    texts.push(JSON.stringify(x));
  } catch {
    /* circular: inspect covers it */
  }
  if (x instanceof Error) {
    texts.push(x.message, String(x.stack), util.inspect(x.cause), JSON.stringify(Object.entries(x)));
    if (x.headers) texts.push(JSON.stringify([...x.headers]));
    if (x.error) texts.push(JSON.stringify(x.error));
  }
}

async function expect(cls, fn, kind) {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof cls)) throw new Error(`${kind}: expected ${cls.name}, got ${util.inspect(e)}`);
    kinds.add(kind);
    forms(e);
    return;
  }
  throw new Error(`${kind}: nothing thrown`);
}

const echo = (status) => ({
  status,
  headers: { 'x-echo': KEY },
  body: { error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error', code: status, param: KEY } },
});

(async () => {
  let sid = await session([echo(400), echo(401), echo(429), echo(429), echo(500), echo(500)]);
  let c = client(sid, { maxRetries: 1 });
  for (const x of [c, c.withOptions({ timeout: 5000 }), c.chat, c.chat.completions]) forms(x);
  for (const cls of [OpenAI.BadRequestError, OpenAI.AuthenticationError, OpenAI.RateLimitError, OpenAI.InternalServerError]) {
    await expect(cls, () => c.chat.completions.create({ model: 'm', messages: MSG }), 'status');
  }

  sid = await session([
    { stream: { content: 'a b c', error_after: 1, error_event: { error: { message: `key ${KEY} revoked`, code: 401 } } } },
    { stream: { raw_events: [`data: {"not a chunk ${KEY}\n\n`] } },
    { body_raw: `<html>${KEY}</html>`, content_type: 'text/html' },
    { body: { error: { message: `bad key ${KEY}`, code: 402 } } },
    { stream: { content: 'a b c', error_after: 2, error_event: { error: { message: `again ${KEY}` } } } },
  ]);
  c = client(sid, { maxRetries: 0 });
  const consume = async () => {
    const s = await c.chat.completions.create({ model: 'm', messages: MSG, stream: true });
    forms(s);
    for await (const _ of s);
  };
  await expect(OpenAI.APIStreamError, consume, 'stream');
  await expect(OpenAI.APIError, consume, 'decode');
  await expect(OpenAI.APIError, () => c.chat.completions.create({ model: 'm', messages: MSG }), 'decode');
  await expect(OpenAI.APIError, () => c.chat.completions.create({ model: 'm', messages: MSG }), 'stream');
  await expect(OpenAI.APIError, () => c.chat.completions.stream({ model: 'm', messages: MSG }).finalChatCompletion(), 'stream');

  const refused = new OpenAI({ apiKey: KEY, baseURL: 'http://127.0.0.1:1/v1', maxRetries: 1, initialRetryDelay: 1, maxRetryDelay: 2 });
  await expect(OpenAI.APIConnectionError, () => refused.chat.completions.create({ model: 'm', messages: MSG }), 'connection');

  sid = await session([{ delay_headers_ms: 3000 }, { stream: { content: 'a b c', stall_after: 1, stall_ms: 3000 } }]);
  c = client(sid, { maxRetries: 0, timeout: 150 });
  await expect(OpenAI.APIConnectionTimeoutError, () => c.chat.completions.create({ model: 'm', messages: MSG }), 'timeout');
  await expect(OpenAI.APIConnectionTimeoutError, consume, 'timeout');

  sid = await session([{ status: 429, headers: { 'retry-after': '20' } }]);
  c = client(sid);
  await expect(
    OpenAI.APIUserAbortError,
    () => c.chat.completions.create({ model: 'm', messages: MSG }, { signal: AbortSignal.timeout(150) }),
    'cancelled',
  );

  await expect(TypeError, () => new OpenAI({ apiKey: `${KEY}\r\nx-evil: 1`, baseURL: url }), 'invalid_request');
  await expect(TypeError, () => new OpenAI({ apiKey: KEY, baseURL: url, defaultHeaders: { 'x-a': `${KEY}\n` } }), 'invalid_request');
  await expect(TypeError, () => client(sid).chat.completions.create({ model: `m\r\n${KEY}`, messages: MSG }), 'invalid_request');

  const got = [...kinds].sort().join(',');
  if (got !== 'cancelled,connection,decode,invalid_request,status,stream,timeout') throw new Error(`kinds: ${got}`);
  for (const t of texts) console.log('TEXT', String(t).replace(/\n/g, ' | '));
  console.log('CHILD-OK');
})().catch((e) => {
  console.error('CHILD-FAILED', e);
  process.exit(1);
});
