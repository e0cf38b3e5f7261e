'use strict';
// Where a program written for openai-node would silently do something else: each behaviour
// below is openai-node 7's, pinned against the mock (tests/dropin/node runs whole programs on both).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const { startMock, stopMock, session, requests, waitFor } = require('./helpers');
const OpenAI = require('..');

const KEY = 'sk-dropin-0123456789abcdef';
const MSG = [{ role: 'user', content: 'one two three four five' }];
let mock;

before(async () => {
  mock = await startMock();
});
after(() => stopMock());

const client = (sid, o = {}) => new OpenAI({ apiKey: KEY, baseURL: mock.baseURL, maxRetries: 0, defaultHeaders: { 'x-mock-session': sid }, ...o });
const step = (s) => ({ 'x-mock-step': JSON.stringify(s) });

// ---- aborting a stream

test('stream.controller.abort() inside for await ends the loop quietly and closes the connection', async () => {
  const sid = session('abort');
  const stream = await client(sid).chat.completions.create(
    { model: 'm', messages: MSG, stream: true },
    { headers: step({ stream: { content: 'a b c d e f', delay_ms_between: 50 } }) },
  );
  let n = 0;
  for await (const chunk of stream) {
    assert.ok(chunk.choices);
    n += 1;
    if (n === 2) stream.controller.abort();
  }
  assert.equal(n, 2);
  const log = await waitFor(sid, (l) => l[0]?.client_disconnected);
  assert.equal(log[0].client_disconnected, true);
  assert.equal(log[0].completed, false);
});

test('abort with a reason, and abort before iterating: quiet, no chunk', async () => {
  const sid = session('abort-reason');
  const c = client(sid);
  const s1 = await c.chat.completions.create({ model: 'm', messages: MSG, stream: true });
  let n = 0;
  for await (const _ of s1) {
    n += 1;
    s1.controller.abort(new Error('mine'));
  }
  assert.equal(n, 1);
  const s2 = await c.chat.completions.create({ model: 'm', messages: MSG, stream: true });
  s2.controller.abort();
  n = 0;
  for await (const _ of s2) n += 1;
  assert.equal(n, 0);
});

test('the caller signal aborted inside for await: quiet too; aborted before create: APIUserAbortError', async () => {
  const sid = session('abort-signal');
  const c = client(sid);
  const ac = new AbortController();
  const stream = await c.chat.completions.create({ model: 'm', messages: MSG, stream: true }, { signal: ac.signal });
  let n = 0;
  for await (const _ of stream) {
    n += 1;
    if (n === 2) ac.abort();
  }
  assert.equal(n, 2);
  const early = new AbortController();
  early.abort();
  await assert.rejects(c.chat.completions.create({ model: 'm', messages: MSG, stream: true }, { signal: early.signal }), OpenAI.APIUserAbortError);
});

test('the stream helper still reports an abort (APIUserAbortError), as openai-node does', async () => {
  const sid = session('abort-helper');
  const stream = client(sid).chat.completions.stream({ model: 'm', messages: MSG });
  const events = [];
  stream.on('abort', (e) => events.push(`abort:${e.constructor.name}`));
  stream.on('end', () => events.push('end'));
  let n = 0;
  const err = await (async () => {
    for await (const _ of stream) {
      n += 1;
      if (n === 2) stream.controller.abort();
    }
  })().catch((e) => e);
  assert.ok(err instanceof OpenAI.APIUserAbortError, String(err));
  assert.deepEqual(events, ['abort:APIUserAbortError', 'end']);
  assert.equal(stream.aborted, true);
});

// ---- asResponse / withResponse

test('asResponse() resolves to a fetch Response: status, headers, json(), text(), body, url', async () => {
  const sid = session('asresponse');
  const c = client(sid);
  const r = await c.chat.completions.create({ model: 'm', messages: MSG }).asResponse();
  assert.ok(r instanceof Response);
  assert.equal(r.status, 200);
  assert.equal(r.ok, true);
  assert.equal(r.statusText, 'OK');
  assert.equal(r.headers.get('x-request-id'), 'req_1');
  assert.match(r.headers.get('content-type'), /application\/json/);
  assert.equal(r.url, `${mock.baseURL}/chat/completions`);
  assert.equal(r.bodyUsed, false);
  const body = await r.json();
  assert.equal(body.object, 'chat.completion');
  assert.equal(body.choices[0].message.content, 'Hello from routerkit-mock! You said: one two three four five');

  const text = await (await c.models.list().asResponse()).text();
  assert.equal(JSON.parse(text).data.length, 4);
  const viaBody = await c.chat.completions.create({ model: 'm', messages: MSG }).asResponse();
  const reader = viaBody.body.getReader();
  let bytes = 0;
  for (let part = await reader.read(); !part.done; part = await reader.read()) bytes += part.value.length;
  assert.ok(bytes > 100);
});

test('asResponse() on a stream: the body is the SSE text, ending with [DONE]', async () => {
  const sid = session('asresponse-stream');
  const r = await client(sid).chat.completions.create({ model: 'm', messages: MSG, stream: true }).asResponse();
  assert.ok(r instanceof Response);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/event-stream/);
  const events = (await r.text()).split('\n\n').filter(Boolean);
  assert.equal(events.at(-1), 'data: [DONE]');
  const content = events
    .slice(0, -1)
    .map((e) => JSON.parse(e.slice('data: '.length)).choices[0]?.delta?.content ?? '')
    .join('');
  assert.equal(content, 'Hello from routerkit-mock! You said: one two three four five');
});

test('withResponse() gives { data, response, request_id } with a fetch Response, streams too', async () => {
  const sid = session('withresponse');
  const c = client(sid);
  const got = await c.chat.completions.create({ model: 'm', messages: MSG }).withResponse();
  assert.deepEqual(Object.keys(got), ['data', 'response', 'request_id']);
  assert.equal(got.data.object, 'chat.completion');
  assert.ok(got.response instanceof Response);
  assert.equal(got.response.status, 200);
  assert.equal(got.request_id, 'req_1');
  assert.equal(got.response.headers.get('x-request-id'), 'req_1');

  const s = await c.chat.completions.create({ model: 'm', messages: MSG, stream: true }).withResponse();
  assert.ok(s.response instanceof Response);
  assert.equal(s.response.body, null); // the stream reads the body
  assert.match(s.response.headers.get('content-type'), /text\/event-stream/);
  assert.equal(s.request_id, 'req_2');
  let n = 0;
  for await (const _ of s.data) n += 1;
  assert.ok(n > 3);
});

// ---- embeddings as openai-node sends them

test('embeddings: base64 asked for by default and decoded to numbers; a given format is sent as given', async () => {
  const sid = session('emb');
  const c = client(sid);
  const dflt = await c.embeddings.create({ model: 'e', input: 'hello' });
  const floats = await c.embeddings.create({ model: 'e', input: 'hello', encoding_format: 'float' });
  const b64 = await c.embeddings.create({ model: 'e', input: 'hello', encoding_format: 'base64' });
  const raw = await (await c.embeddings.create({ model: 'e', input: 'hello' }).asResponse()).json();
  const log = await requests(sid);
  assert.deepEqual(
    log.map((r) => r.body.encoding_format),
    ['base64', 'float', 'base64', 'base64'],
  );
  assert.equal(dflt.data[0].embedding.length, 8);
  // float32 round trip: the decoded values are the float32 nearest the mock's floats.
  assert.deepEqual(
    dflt.data[0].embedding,
    floats.data[0].embedding.map((x) => Math.fround(x)),
  );
  assert.equal(typeof b64.data[0].embedding, 'string');
  assert.equal(typeof raw.data[0].embedding, 'string');
});

// ---- the key

test('the key is never printed whole, not even a short one: its first min(8, len/2) characters', () => {
  for (const key of ['sk-0123456789abcdefghij', 'sk-12345', 'sk-1', 'abcd', 'a']) {
    const c = new OpenAI({ apiKey: key, baseURL: mock.baseURL });
    const shown = util.inspect(c) + JSON.stringify(c);
    assert.ok(!shown.includes(`'${key}'`) && !shown.includes(`"${key}"`), `${key} in ${shown}`);
    assert.equal(c.toJSON().apiKey, `${key.slice(0, Math.min(8, Math.floor(key.length / 2)))}…`);
  }
});
