'use strict';
// Node-specific behaviour against the mock gateway: results, streams, events,
// cancellation (signal, abort(), break) seen by the mock as a closed connection,
// the event loop during a stalled request, error classes, key hygiene, ESM/CJS.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { execFileSync } = require('node:child_process');
const { startMock, stopMock, session, script, requests, waitFor } = require('./helpers');
const OpenAI = require('..');
const {
  APIError,
  APIUserAbortError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIStreamError,
  OpenAIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
} = OpenAI;

const KEY = 'sk-secret-0123456789abcdefghijklmnop';
const MSG = [{ role: 'user', content: 'hi' }];
let mock;

before(async () => {
  mock = await startMock();
});
after(() => stopMock());

function client(sid, opts = {}) {
  return new OpenAI({
    apiKey: KEY,
    baseURL: mock.baseURL,
    initialRetryDelay: 1,
    maxRetryDelay: 5,
    ...opts,
    defaultHeaders: { 'x-mock-session': sid, ...opts.defaultHeaders },
  });
}

const step = (s) => ({ 'x-mock-step': JSON.stringify(s) });

test('chat.completions.create returns a plain object with _request_id and _attempts', async () => {
  const sid = session();
  await script(sid, [{ status: 500 }, { content: 'Hello there' }]);
  const r = await client(sid).chat.completions.create({ model: 'openai/gpt-4.1', messages: MSG, max_tokens: 5 });
  assert.equal(r.choices[0].message.content, 'Hello there');
  assert.equal(r._request_id, 'req_2');
  assert.equal(r._attempts, 2);
  assert.ok(!Object.keys(r).includes('_request_id'));
  assert.ok(!JSON.stringify(r).includes('_attempts'));
  const log = await requests(sid);
  assert.equal(log[1].body.max_tokens, 5);
  assert.equal(log[1].headers.authorization, `Bearer ${KEY}`);
});

test('withResponse() gives the status and headers', async () => {
  const sid = session();
  const { data, response, request_id } = await client(sid).chat.completions.create({ model: 'm', messages: MSG }).withResponse();
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-request-id'), request_id);
  assert.ok(data.choices.length);
});

test('per-request options: headers, maxRetries, query and pass-through body fields', async () => {
  const sid = session();
  await script(sid, [{ status: 503 }]);
  const c = client(sid, { maxRetries: 5 });
  const err = await c.chat.completions.create({ model: 'm', messages: MSG, provider: { order: ['a'] } }, { maxRetries: 0, headers: { 'x-extra': '1' }, query: { a: 'b' } }).catch((e) => e);
  assert.ok(err instanceof InternalServerError);
  assert.equal(err.attempts, 1);
  const log = await requests(sid);
  assert.equal(log.length, 1);
  assert.equal(log[0].headers['x-extra'], '1');
  assert.equal(log[0].query, 'a=b');
  assert.deepEqual(log[0].body.provider, { order: ['a'] });
});

test('a caller who asks for usage gets its choices: [] chunk', async () => {
  const sid = session();
  const stream = await client(sid).chat.completions.create({
    model: 'm', messages: MSG, stream: true, stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.deepEqual(chunks.at(-1).choices, []);
  assert.ok(chunks.at(-1).usage.total_tokens > 0);
});

test('stream: true gives an async iterable of chunks; usage is asked for', async () => {
  const sid = session();
  await script(sid, [{ stream: { content: 'one two three', pieces: ['one ', 'two ', 'three'] } }]);
  const stream = await client(sid).chat.completions.create({ model: 'm', messages: MSG, stream: true });
  let text = '';
  for await (const chunk of stream) {
    // The tutorial loop: every chunk handed over has a choice (the usage chunk the engine asked for is kept back).
    text += chunk.choices[0].delta.content ?? '';
    assert.equal(chunk.usage ?? null, null);
  }
  assert.equal(text, 'one two three');
  assert.ok(stream.usage.total_tokens > 0);
  const log = await requests(sid);
  assert.equal(log[0].body.stream, true);
  assert.equal(log[0].body.stream_options.include_usage, true);
});

test('stream chunks are what JSON.parse gives for the gateway text: keys, order, nulls, escapes, numbers, __proto__', async () => {
  // Chunks cross from the engine as shapes and values (src/shapes.rs); every one must come out
  // exactly as JSON.parse(data) would, fresh objects each time.
  const head = '"id":"c","object":"chat.completion.chunk","created":1,"model":"m"';
  const data = [
    `{${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"system_fingerprint":"fp_1"}`,
    `{${head},"choices":[{"index":0,"delta":{"role":"assistant","content":"a\\"b\\\\c\\u00e9 ✓ \\ud83d\\ude00\\n"},"logprobs":null,"finish_reason":null}],"system_fingerprint":"fp_1"}`,
    `{${head},"choices":[{"index":0,"delta":{"role":"assistant","content":"a\\"b\\\\c"},"logprobs":null,"finish_reason":null}],"system_fingerprint":"fp_1"}`,
    `{ "id" : "c", "object":"chat.completion.chunk","created":1,"model":"m","choices":[ {"index":0,"delta":{"content":"x"},"finish_reason":null} ] }`,
    `{${head},"choices":[{"index":0,"delta":{"content":"y"},"finish_reason":null}],"x_provider":{"name":"p","flags":[true,false,null],"score":-1.5e-3,"big":12345678901234567890,"zero":-0,"nested":[[],{}]}}`,
    `{${head},"choices":[{"index":0,"delta":{"content":"y"},"finish_reason":null}],"x_provider":{"name":7,"flags":[true,false,null],"score":"high","big":1,"zero":0,"nested":[[],{}]}}`,
    `{${head},"choices":[{"index":0,"delta":{"content":"z"},"finish_reason":null}],"__proto__":{"polluted":true}}`,
    `{${head},"choices":[{"index":0,"delta":{"content":"w"},"finish_reason":null}],"x\\u0041":1}`,
    `{${head},"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
  ];
  const sid = session();
  await script(sid, [{ stream: { raw_events: data.map((d) => `data: ${d}\n\n`) } }]);
  const stream = await client(sid).chat.completions.create({ model: 'm', messages: MSG, stream: true });
  const seen = [];
  for await (const chunk of stream) {
    seen.push(chunk);
    // A later chunk of the same shape must not see this: each chunk is a fresh object.
    chunk.choices.push('mutated');
    if (chunk.choices[0].delta) chunk.choices[0].delta.mutated = true;
  }
  assert.equal(seen.length, data.length);
  seen.forEach((chunk, i) => {
    chunk.choices.pop();
    if (chunk.choices[0].delta) delete chunk.choices[0].delta.mutated;
    const expected = JSON.parse(data[i]);
    assert.deepStrictEqual(chunk, expected, `chunk ${i}`);
    assert.equal(JSON.stringify(chunk), JSON.stringify(expected), `key order of chunk ${i}`);
  });
  assert.ok(Object.is(seen[4].x_provider.zero, -0));
  assert.equal(Object.getPrototypeOf(seen[6]), Object.prototype);
  assert.ok(Object.hasOwn(seen[6], '__proto__'));
  assert.equal({}.polluted, undefined);
});

test('where code generation is disallowed, stream chunks cross as JSON and come out the same', async () => {
  const sid = session();
  await script(sid, [{ stream: { content: 'one two three', pieces: ['one ', 'two ', 'three'] } }]);
  const program = `
    const OpenAI = require(${JSON.stringify(path.resolve(__dirname, '..'))});
    (async () => {
      const c = new OpenAI({ apiKey: 'sk-x', baseURL: process.env.MOCK, defaultHeaders: { 'x-mock-session': process.env.SID } });
      const out = [];
      for await (const chunk of await c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true })) out.push(chunk);
      console.log(JSON.stringify(out));
    })();`;
  const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', program], {
    env: { ...process.env, MOCK: mock.baseURL, SID: sid },
    encoding: 'utf8',
  });
  const chunks = JSON.parse(out);
  assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'one two three');
  assert.equal(chunks[0].object, 'chat.completion.chunk');
});

test('stream helper: openai-node events in order, finalMessage() carries usage', async () => {
  const sid = session();
  await script(sid, [{ stream: { content: 'Hello world', pieces: ['Hello', ' world'] } }]);
  const stream = client(sid).chat.completions.stream({ model: 'm', messages: MSG });
  const seen = [];
  const contents = [];
  stream.on('connect', () => seen.push('connect'));
  stream.on('chunk', (chunk, snapshot) => {
    seen.push('chunk');
    assert.ok(snapshot.choices);
  });
  stream.on('content', (delta, snapshot) => contents.push([delta, snapshot]));
  stream.on('content.delta', () => seen.push('content.delta'));
  stream.on('content.done', ({ content }) => seen.push(`content.done:${content}`));
  stream.on('message', () => seen.push('message'));
  stream.on('finalContent', (c) => seen.push(`finalContent:${c}`));
  stream.on('totalUsage', () => seen.push('totalUsage'));
  stream.on('end', () => seen.push('end'));
  const message = await stream.finalMessage();
  assert.equal(message.content, 'Hello world');
  assert.ok(message.usage.total_tokens > 0, 'finalMessage().usage');
  assert.ok(!JSON.stringify(message).includes('usage'), 'usage is not sent back with the message');
  assert.deepEqual(contents, [
    ['Hello', 'Hello'],
    [' world', 'Hello world'],
  ]);
  assert.equal(seen[0], 'connect');
  assert.ok(seen.includes('content.done:Hello world'));
  assert.deepEqual(seen.slice(-4), ['message', 'finalContent:Hello world', 'totalUsage', 'end']);
  const completion = await stream.finalChatCompletion();
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.equal(await stream.finalContent(), 'Hello world');
  assert.ok((await stream.totalUsage()).total_tokens > 0);
});

test('stream helper: async iteration and tool-call argument events', async () => {
  const sid = session();
  await script(sid, [{ stream: { tool_calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] } }]);
  const stream = client(sid).chat.completions.stream({ model: 'm', messages: MSG });
  const done = [];
  stream.on('tool_calls.function.arguments.done', (e) => done.push(e));
  let chunks = 0;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    chunks++;
  }
  assert.ok(chunks > 2);
  assert.deepEqual(
    done.map((e) => [e.name, e.index, e.arguments]),
    [['get_weather', 0, '{"city":"Paris"}']],
  );
  const message = await stream.finalMessage();
  assert.equal(message.tool_calls[0].function.arguments, '{"city":"Paris"}');
});

test('abort by signal before the response: APIUserAbortError, the mock sees the close', async () => {
  const sid = session();
  const c = client(sid);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const t0 = Date.now();
  const err = await c.chat.completions.create({ model: 'm', messages: MSG }, { signal: ac.signal, headers: step({ delay_headers_ms: 5000 }) }).catch((e) => e);
  assert.ok(err instanceof APIUserAbortError, String(err));
  assert.ok(Date.now() - t0 < 2000);
  const log = await waitFor(sid, (l) => l[0]?.client_disconnected);
  assert.equal(log[0].client_disconnected, true);
});

test('abort by signal mid-stream: the loop ends quietly (as openai-node 7), the mock sees the close', async () => {
  const sid = session();
  const c = client(sid);
  const ac = new AbortController();
  const stream = await c.chat.completions.create(
    { model: 'm', messages: MSG, stream: true },
    { signal: ac.signal, headers: step({ stream: { content: 'a b c d', stall_after: 2, stall_ms: 10000 } }) },
  );
  const got = [];
  for await (const chunk of stream) {
    got.push(chunk);
    if (got.length === 2) setTimeout(() => ac.abort(), 50);
  }
  assert.equal(got.length, 2);
  const log = await waitFor(sid, (l) => l[0]?.client_disconnected);
  assert.equal(log[0].client_disconnected, true);
});

test('break out of for await closes the connection', async () => {
  const sid = session();
  const c = client(sid);
  const stream = await c.chat.completions.create(
    { model: 'm', messages: MSG, stream: true },
    { headers: step({ stream: { content: 'a b c d e f g', delay_ms_between: 100 } }) },
  );
  for await (const chunk of stream) {
    assert.ok(chunk);
    break;
  }
  assert.equal(stream.controller.signal.aborted, true);
  const log = await waitFor(sid, (l) => l[0]?.client_disconnected);
  assert.equal(log[0].client_disconnected, true);
  assert.equal(log[0].completed, false);
});

test('stream helper: abort() emits abort, rejects finalMessage(), closes the connection', async () => {
  const sid = session();
  const stream = client(sid).chat.completions.stream({ model: 'm', messages: MSG }, { headers: step({ stream: { content: 'a b c', stall_after: 1, stall_ms: 10000 } }) });
  let aborted;
  stream.on('abort', (e) => (aborted = e));
  stream.once('content', () => stream.abort());
  const err = await stream.finalMessage().catch((e) => e);
  assert.ok(err instanceof APIUserAbortError);
  assert.ok(aborted instanceof APIUserAbortError);
  assert.equal(stream.aborted, true);
  const log = await waitFor(sid, (l) => l[0]?.client_disconnected);
  assert.equal(log[0].client_disconnected, true);
});

test('stream helper: break out of for await aborts it', async () => {
  const sid = session();
  const stream = client(sid).chat.completions.stream({ model: 'm', messages: MSG }, { headers: step({ stream: { content: 'a b c d e', delay_ms_between: 100 } }) });
  for await (const chunk of stream) {
    assert.ok(chunk);
    break;
  }
  await stream.done().catch(() => {});
  assert.equal(stream.aborted, true);
  const log = await waitFor(sid, (l) => l[0]?.client_disconnected);
  assert.equal(log[0].client_disconnected, true);
});

test('the event loop keeps ticking during a stalled request', async () => {
  const sid = session();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const t0 = Date.now();
  const r = await client(sid).chat.completions.create({ model: 'm', messages: MSG }, { headers: step({ delay_headers_ms: 500 }) });
  clearInterval(timer);
  assert.ok(r.choices.length);
  assert.ok(Date.now() - t0 >= 450);
  assert.ok(ticks >= 20, `only ${ticks} ticks in ${Date.now() - t0} ms`);
});

test('stream timeout: a stream that goes silent fails with APIConnectionTimeoutError', async () => {
  const sid = session();
  const stream = await client(sid, { timeout: 300 }).chat.completions.create(
    { model: 'm', messages: MSG, stream: true },
    { headers: step({ stream: { content: 'a b c', stall_after: 1, stall_ms: 10000 } }) },
  );
  const err = await (async () => {
    for await (const _ of stream);
  })().catch((e) => e);
  assert.ok(err instanceof APIConnectionTimeoutError, String(err));
  assert.ok(err instanceof APIConnectionError);
});

test('instanceof for every error class', async () => {
  const sid = session();
  const c = client(sid, { maxRetries: 0 });
  const cases = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [418, APIError],
  ];
  for (const [status, cls] of cases) {
    const body = { error: { message: `boom ${status}`, type: 'some_type', code: `c${status}`, param: 'p' } };
    const err = await c.chat.completions.create({ model: 'm', messages: MSG }, { headers: step({ status, body }) }).catch((e) => e);
    assert.ok(err instanceof cls, `${status}: ${err}`);
    assert.ok(err instanceof APIError && err instanceof OpenAIError && err instanceof Error);
    assert.equal(err.status, status);
    assert.equal(err.message, `${status} boom ${status}`);
    assert.equal(err.code, `c${status}`);
    assert.equal(err.type, 'some_type');
    assert.equal(err.param, 'p');
    assert.deepEqual(err.error, body.error);
    assert.ok(err.headers instanceof Headers);
    assert.match(err.requestID, /^req_/);
    assert.equal(err.attempts, 1);
  }
  // A status with no body gets openai-node's message.
  const bare = await c.chat.completions.create({ model: 'm', messages: MSG }, { headers: step({ status: 502, body_raw: '' }) }).catch((e) => e);
  assert.ok(bare instanceof InternalServerError);

  // Connection refused.
  const dead = new OpenAI({ apiKey: KEY, baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 });
  const conn = await dead.chat.completions.create({ model: 'm', messages: MSG }).catch((e) => e);
  assert.ok(conn instanceof APIConnectionError && !(conn instanceof APIConnectionTimeoutError), String(conn));
  assert.ok(conn instanceof APIError);

  // Timeout.
  const slow = await c.chat.completions.create({ model: 'm', messages: MSG }, { timeout: 100, headers: step({ delay_headers_ms: 2000 }) }).catch((e) => e);
  assert.ok(slow instanceof APIConnectionTimeoutError && slow instanceof APIConnectionError, String(slow));

  // Abort.
  const ac = new AbortController();
  ac.abort();
  const aborted = await c.chat.completions.create({ model: 'm', messages: MSG }, { signal: ac.signal }).catch((e) => e);
  assert.ok(aborted instanceof APIUserAbortError && aborted instanceof APIError);

  // An error event inside a 200 stream.
  const stream = await c.chat.completions.create(
    { model: 'm', messages: MSG, stream: true },
    { headers: step({ stream: { content: 'a b c', error_after: 1, error_event: { error: { message: 'upstream died', code: 502 } } } }) },
  );
  const streamErr = await (async () => {
    for await (const _ of stream);
  })().catch((e) => e);
  assert.ok(streamErr instanceof APIStreamError && streamErr instanceof APIError, String(streamErr));
  assert.equal(String(streamErr.code), '502');
  assert.match(streamErr.message, /upstream died/);

  // Failures of calls that are not streams are APIErrors, never APIStreamErrors: a body that is
  // not JSON, one nested too deep, a 200 that carries an error.
  for (const bad of [{ body_raw: '<html>oops</html>' }, { deep_json: 100000 }, { body: { error: { message: 'no', code: 402 } } }]) {
    const e = await c.chat.completions.create({ model: 'm', messages: MSG }, { headers: step(bad), maxRetries: 0 }).catch((x) => x);
    assert.ok(e instanceof APIError && !(e instanceof APIStreamError), `${JSON.stringify(bad).slice(0, 40)}: ${e?.constructor?.name}`);
  }

  // Bad input from the caller: TypeError naming the field, nothing sent.
  const bad = await c.chat.completions.create({ model: 'm', messages: MSG, temperature: 'hot' }).catch((e) => e);
  assert.ok(bad instanceof TypeError);
  assert.equal(bad.field, 'temperature');
  assert.throws(() => new OpenAI({ apiKey: KEY, baseURL: 'not a url' }), (e) => e instanceof TypeError && e.field === 'base_url');
});

test('Retry-After: a short one is waited for, a long one returned at once with retryAfter', async () => {
  const sid = session();
  await script(sid, [{ status: 429, headers: { 'retry-after-ms': 20 } }, {}]);
  const ok = await client(sid).chat.completions.create({ model: 'm', messages: MSG });
  assert.equal(ok._attempts, 2);
  const sid2 = session();
  await script(sid2, [{ status: 429, headers: { 'retry-after': 3600 }, body: { error: { message: 'slow down' } } }]);
  const t0 = Date.now();
  const err = await client(sid2).chat.completions.create({ model: 'm', messages: MSG }).catch((e) => e);
  assert.ok(err instanceof RateLimitError);
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(err.retryAfter, 3600 * 1000);
  assert.equal(err.headers.get('retry-after'), '3600');
});

test('key hygiene: the key never appears whole in inspect/JSON of client, sibling or errors', async () => {
  const sid = session();
  const c = client(sid);
  const sibling = c.withOptions({ maxRetries: 0 });
  for (const value of [c, sibling, c.chat, c.chat.completions]) {
    assert.ok(!util.inspect(value, { depth: 10, showHidden: true }).includes(KEY));
    assert.ok(!JSON.stringify(value ?? null).includes(KEY));
  }
  assert.match(util.inspect(c), /sk-secr/);
  const err = await sibling.chat.completions.create({ model: 'm', messages: MSG }, { headers: step({ status: 401, body: { error: { message: `bad key ${KEY}` } } }) }).catch((e) => e);
  assert.ok(err instanceof AuthenticationError);
  for (const text of [util.inspect(err, { depth: 10 }), JSON.stringify(err), err.message, String(err.stack)]) {
    assert.ok(!text.includes(KEY), text);
  }
});

test('bad configuration errors do not echo the key', () => {
  assert.throws(
    () => new OpenAI({ apiKey: `${KEY}\nX: y`, baseURL: 'http://127.0.0.1:1/v1' }),
    (e) => e instanceof TypeError && e.field === 'api_key' && !e.message.includes(KEY),
  );
});

test('withOptions shares the settings and overrides some', async () => {
  const sid = session();
  const base = client(sid, { maxRetries: 4, timeout: 12345 });
  const other = base.withOptions({ maxRetries: 0 });
  assert.equal(other.maxRetries, 0);
  assert.equal(other.timeout, 12345);
  assert.equal(other.baseURL, base.baseURL);
  await script(sid, [{ status: 500 }]);
  const err = await other.chat.completions.create({ model: 'm', messages: MSG }).catch((e) => e);
  assert.equal(err.attempts, 1);
  assert.equal((await requests(sid))[0].headers.authorization, `Bearer ${KEY}`);
});

test('models.list() and embeddings.create()', async () => {
  const sid = session();
  const c = client(sid);
  const page = await c.models.list();
  assert.ok(page.data.length > 0);
  const ids = [];
  for await (const m of c.models.list()) ids.push(m.id);
  assert.deepEqual(ids, page.data.map((m) => m.id));
  const emb = await c.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['a', 'b'] });
  assert.equal(emb.data.length, 2);
  assert.ok(Array.isArray(emb.data[0].embedding));
});

test('key and base URL from THEROUTER_* variables and from .env', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerkit-env-'));
  const entry = path.resolve(__dirname, '..', 'index.js');
  const code = `const C=require(${JSON.stringify(entry)});const c=new C();c.chat.completions.create({model:'m',messages:[{role:'user',content:'x'}]}).then(r=>console.log(c.baseURL+' '+r.choices[0].message.content.length),e=>{console.error(String(e));process.exit(1)})`;
  const env = { ...process.env };
  for (const k of ['THEROUTER_API_KEY', 'THEROUTER_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']) delete env[k];
  const fromEnv = execFileSync(process.execPath, ['-e', code], { cwd: dir, env: { ...env, THEROUTER_API_KEY: KEY, THEROUTER_BASE_URL: mock.baseURL } }).toString();
  assert.match(fromEnv, new RegExp(`^${mock.baseURL} \\d+`));
  fs.writeFileSync(path.join(dir, '.env'), `THEROUTER_API_KEY=${KEY}\nTHEROUTER_BASE_URL=${mock.baseURL}\n`);
  const fromDotenv = execFileSync(process.execPath, ['-e', code], { cwd: dir, env }).toString();
  assert.match(fromDotenv, new RegExp(`^${mock.baseURL} \\d+`));
  fs.rmSync(dir, { recursive: true });
});

test('ESM and CommonJS both load, with the same classes', () => {
  const pkg = path.resolve(__dirname, '..');
  const esm = `import OpenAI, { APIError, Client, RateLimitError } from ${JSON.stringify(path.join(pkg, 'index.mjs'))};
import { createRequire } from 'node:module';
const cjs = createRequire(import.meta.url)(${JSON.stringify(path.join(pkg, 'index.js'))});
if (OpenAI !== cjs || APIError !== cjs.APIError || Client !== OpenAI || !(new RateLimitError(429, {}, 'x', new Headers()) instanceof cjs.APIError)) process.exit(3);
console.log(typeof new OpenAI({ apiKey: 'sk-x' }).chat.completions.create);`;
  assert.equal(execFileSync(process.execPath, ['--input-type=module', '-e', esm]).toString().trim(), 'function');
  const cjs = `const OpenAI = require(${JSON.stringify(pkg)}); const { APIError, OpenAI: O } = require(${JSON.stringify(pkg)});
if (O !== OpenAI || OpenAI.default !== OpenAI || typeof APIError !== 'function') process.exit(3); console.log('ok');`;
  assert.equal(execFileSync(process.execPath, ['-e', cjs]).toString().trim(), 'ok');
});
