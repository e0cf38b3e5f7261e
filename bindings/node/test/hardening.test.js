'use strict';
// Hardening (issue 7), Node surface: the key never appears whole (every error kind, the
// library's log fully on, util.inspect/JSON.stringify/String of clients and errors); a redirect
// to another origin drops Authorization; CR/LF in key, model or header is refused naming the
// field; bad input is a TypeError naming the parameter before anything is sent.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const readline = require('node:readline');
const { spawn, spawnSync } = require('node:child_process');
const { startMock, stopMock, session, script, requests } = require('./helpers');
const OpenAI = require('..');

const KEY = 'sk-node-SECRET-TAIL-0123456789abcdef';
const MSG = [{ role: 'user', content: 'hi' }];
const MOCK_BIN = process.env.ROUTERKIT_MOCK || path.join(process.env.CARGO_TARGET_DIR || path.join(__dirname, '..', '..', '..', 'target'), 'debug', 'routerkit-mock');
let mock;

before(async () => {
  mock = await startMock();
});
after(() => stopMock());

function client(sid, o = {}) {
  return new OpenAI({ apiKey: KEY, baseURL: mock.baseURL, defaultHeaders: { 'x-mock-session': sid }, initialRetryDelay: 1, maxRetryDelay: 2, ...o });
}

function child(env) {
  const full = { ...process.env, ...env };
  if (!('ROUTERKIT_LOG' in env)) delete full.ROUTERKIT_LOG;
  if (!('OPENAI_LOG' in env)) delete full.OPENAI_LOG;
  return spawnSync(process.execPath, [path.join(__dirname, '_secrets_child.js'), mock.url, KEY], { env: full, encoding: 'utf8', timeout: 60000 });
}

test('the key never appears whole: every error kind, every formatting, the log fully on', () => {
  const out = child({ ROUTERKIT_LOG: 'debug' });
  assert.equal(out.status, 0, out.stdout + out.stderr);
  assert.match(out.stdout, /CHILD-OK/);
  for (const [name, text] of [['stdout', out.stdout], ['stderr', out.stderr]]) {
    for (const line of text.split('\n')) {
      assert.ok(!line.includes(KEY.slice(8)), `the key leaked into ${name}: ${line}`);
      assert.ok(!line.includes(KEY.slice(0, 9)), `more than 8 characters of the key in ${name}: ${line}`);
    }
  }
  for (const needle of [
    'DEBUG request POST',
    'authorization: "Bearer sk-node-…"',
    'INFO  response status=401',
    'WARN  retry attempt=1 failed (kind=status status=429',
    'ERROR call failed after attempt=2: kind=status status=500',
    'kind=connection',
    'kind=timeout',
    'kind=decode',
    'ERROR stream error',
    'kind=cancelled',
  ]) {
    assert.ok(out.stderr.includes(needle), `the log lacks ${needle}:\n${out.stderr}`);
  }
  assert.ok(out.stdout.includes('sk-node-…'));
});

test('logging is off by default; OPENAI_LOG is the fallback', () => {
  const off = child({});
  assert.equal(off.status, 0, off.stderr);
  assert.ok(!off.stderr.includes('routerkit '), off.stderr);
  const info = child({ OPENAI_LOG: 'info' });
  assert.equal(info.status, 0, info.stderr);
  assert.ok(info.stderr.includes('INFO  request POST') && !info.stderr.includes('DEBUG'), info.stderr);
});

async function otherMock() {
  const proc = spawn(MOCK_BIN, ['--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise((resolve) => readline.createInterface({ input: proc.stdout }).once('line', (l) => resolve(l.trim())));
  return { url, stop: () => (proc.stdin.end(), proc.kill()) };
}

test('a redirect to another origin drops Authorization (request and stream)', async () => {
  const other = await otherMock();
  try {
    for (const stream of [false, true]) {
      const sid = session('redirect');
      await script(sid, [{ status: 307, headers: { location: `${other.url}/v1/chat/completions` } }]);
      const r = await client(sid, { maxRetries: 0 }).chat.completions.create({ model: 'm', messages: MSG, stream });
      if (stream) for await (const _ of r);
      assert.equal((await requests(sid))[0].headers.authorization, `Bearer ${KEY}`);
      const res = await fetch(`${other.url}/__mock/sessions/${sid}/requests`);
      const second = await res.json();
      assert.equal(second.length, 1, JSON.stringify(second));
      assert.equal(second[0].headers.authorization, undefined, JSON.stringify(second[0].headers));
      assert.ok(!JSON.stringify(second).includes(KEY.slice(8)));
    }
  } finally {
    other.stop();
  }
});

const isTypeErrorFor = (field) => (e) => e instanceof TypeError && (e.field === field || e.message.includes(field));

test('CR/LF in key, model or header is refused naming the field, nothing sent', async () => {
  const sid = session('crlf');
  for (const bad of ['\r', '\n', '\r\n']) {
    assert.throws(() => client(sid, { apiKey: `sk-abc${bad}x-injected: 1` }), (e) => e instanceof TypeError && e.field === 'api_key');
    assert.throws(() => client(sid, { defaultHeaders: { 'x-title': `a${bad}b` } }), (e) => e instanceof TypeError && e.field === 'headers' && /x-title/.test(e.message));
    const c = client(sid);
    await assert.rejects(c.chat.completions.create({ model: 'm', messages: MSG }, { headers: { 'x-title': `a${bad}b` } }), isTypeErrorFor('headers'));
    for (const stream of [false, true]) {
      await assert.rejects(c.chat.completions.create({ model: `openai/gpt-4.1${bad}x`, messages: MSG, stream }), (e) => e instanceof TypeError && e.field === 'model');
    }
    await assert.rejects(c.embeddings.create({ model: `m${bad}`, input: 'x' }), (e) => e instanceof TypeError && e.field === 'model');
  }
  assert.deepEqual(await requests(sid), []);
});

function circular() {
  const o = { a: 1 };
  o.self = o;
  return o;
}

const BAD_BODIES = [
  [{ model: 5, messages: MSG }, 'model'],
  [{ model: null, messages: MSG }, 'model'],
  [{ messages: MSG }, 'model'],
  [{ model: 'm' }, 'messages'],
  [{ model: 'm', messages: 'hi' }, 'messages'],
  [{ model: 'm', messages: [] }, 'messages'],
  [{ model: 'm', messages: [{ content: 'no role' }] }, 'messages'],
  [{ model: 'm', messages: MSG, temperature: 'hot' }, 'temperature'],
  [{ model: 'm', messages: MSG, max_tokens: 1.5 }, 'max_tokens'],
  [{ model: 'm', messages: MSG, n: 0 }, 'n'],
  [{ model: 'm', messages: MSG, max_tokens: 10n }, 'max_tokens'],
  [{ model: 'm', messages: MSG, metadata: circular() }, 'metadata'],
  [{ model: 'm', messages: MSG, temperature: () => 1 }, 'temperature'],
  [{ model: 'm', messages: MSG, user: Symbol('u') }, 'user'],
];

test('bad request bodies are TypeErrors naming the parameter, before anything is sent', async () => {
  const sid = session('badbody');
  const c = client(sid);
  for (const [body, field] of BAD_BODIES) {
    for (const stream of [false, true]) {
      await assert.rejects(c.chat.completions.create({ ...body, stream }), isTypeErrorFor(field), `${field} stream=${stream}`);
    }
    await assert.rejects(c.chat.completions.stream(body).finalChatCompletion(), isTypeErrorFor(field), `stream() ${field}`);
  }
  await assert.rejects(c.embeddings.create({ model: 'm' }), isTypeErrorFor('input'));
  await assert.rejects(c.embeddings.create({ model: 'm', input: [1n] }), isTypeErrorFor('input'));
  await assert.rejects(c.chat.completions.create({ model: 'm', messages: MSG }, { extra_body: circular() }), isTypeErrorFor('extra_body'));
  assert.deepEqual(await requests(sid), []);
});

const BAD_OPTIONS = [
  [{ maxRetries: -1 }, 'max_retries'],
  [{ maxRetries: 101 }, 'max_retries'],
  [{ maxRetries: 1.5 }, 'max_retries'],
  [{ maxRetries: '3' }, 'max_retries'],
  [{ maxRetries: NaN }, 'max_retries'],
  [{ timeout: -1 }, 'timeout'],
  [{ timeout: 0 }, 'timeout'],
  [{ timeout: '10' }, 'timeout'],
  [{ timeout: NaN }, 'timeout'],
  [{ connectTimeout: -5 }, 'connect_timeout'],
  [{ deadline: -1 }, 'deadline'],
  [{ initialRetryDelay: -1 }, 'initial_retry_delay'],
  [{ apiKey: 12345 }, 'api_key'],
  [{ baseURL: 'not a url' }, 'base_url'],
];

test('bad client options are TypeErrors naming the parameter', () => {
  const sid = session('badopts');
  for (const [o, field] of BAD_OPTIONS) {
    assert.throws(() => client(sid, o), isTypeErrorFor(field), JSON.stringify(o));
    assert.throws(() => client(sid).withOptions(o), isTypeErrorFor(field), `withOptions ${JSON.stringify(o)}`);
  }
});

test('bad per-call options are TypeErrors naming the parameter, before anything is sent', async () => {
  const sid = session('badcall');
  const c = client(sid);
  for (const [o, field] of BAD_OPTIONS.filter(([o]) => 'maxRetries' in o || 'timeout' in o)) {
    await assert.rejects(c.chat.completions.create({ model: 'm', messages: MSG }, o), isTypeErrorFor(field), JSON.stringify(o));
    await assert.rejects(c.models.list(o), isTypeErrorFor(field), JSON.stringify(o));
  }
  assert.deepEqual(await requests(sid), []);
});

test('abort() stops the stream at once, even with chunks already received in a batch (found by the soak)', async () => {
  const sid = session('abortbuf');
  const event = 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}\n\n';
  await script(sid, [{ stream: { raw_events: [event.repeat(50)] } }]);
  const s = await client(sid).chat.completions.create({ model: 'm', messages: MSG, stream: true });
  await new Promise((r) => setTimeout(r, 100)); // the whole answer arrives: the first batch carries it
  let n = 0;
  // The loop ends quietly (openai-node 7), and the rest of the batch is not handed out.
  for await (const _ of s) {
    n += 1;
    if (n === 1) s.controller.abort();
  }
  assert.equal(n, 1);
});

test('abort() from a stream helper listener emits nothing more of the batch', async () => {
  const sid = session('abortbuf2');
  const event = 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}\n\n';
  await script(sid, [{ stream: { delay_first_ms: 100, raw_events: [event.repeat(50)] } }]);
  const stream = client(sid).chat.completions.stream({ model: 'm', messages: MSG });
  let n = 0;
  stream.on('content', () => {
    n += 1;
    if (n === 1) stream.abort();
  });
  const err = await stream.done().catch((e) => e);
  assert.ok(err instanceof OpenAI.APIUserAbortError, String(err));
  assert.equal(n, 1);
  assert.equal(stream.aborted, true);
});
