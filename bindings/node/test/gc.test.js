'use strict';
// Memory: finished and aborted streams, stream helpers and clients are garbage
// collected once the caller drops them, and aborted streams free their
// connections. Needs `node --expose-gc` (scripts/test.sh passes it); the test
// fails without it rather than skipping.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startMock, stopMock, session, script, waitFor } = require('./helpers');
const OpenAI = require('..');
const { APIUserAbortError } = OpenAI;

const MSG = [{ role: 'user', content: 'hi' }];
const ROUNDS = 10;
let mock;

before(async () => {
  mock = await startMock();
});
after(() => stopMock());

/** Counts registered objects per kind and those the collector has finalized. */
function tracker() {
  const registered = new Map();
  const collected = new Map();
  const registry = new FinalizationRegistry((kind) => collected.set(kind, (collected.get(kind) ?? 0) + 1));
  return {
    track(kind, obj) {
      registered.set(kind, (registered.get(kind) ?? 0) + 1);
      registry.register(obj, kind);
      return obj;
    },
    /** Collects until every tracked object is finalized (or 5 s pass); returns {kind: [collected, registered]}. */
    async settle() {
      const until = Date.now() + 5000;
      const done = () => [...registered].every(([k, n]) => (collected.get(k) ?? 0) >= n);
      while (!done() && Date.now() < until) {
        global.gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      return Object.fromEntries([...registered].map(([k, n]) => [k, [collected.get(k) ?? 0, n]]));
    },
  };
}

function client(sid) {
  return new OpenAI({
    apiKey: 'sk-gc-test-0123456789',
    baseURL: mock.baseURL,
    initialRetryDelay: 1,
    maxRetryDelay: 5,
    defaultHeaders: { 'x-mock-session': sid },
  });
}

const stall = { 'x-mock-step': JSON.stringify({ stream: { content: 'one two three', stall_after: 1, stall_ms: 60000 } }) };

test('finished and aborted streams, stream helpers and clients are collected', async () => {
  assert.equal(typeof global.gc, 'function', 'run with node --expose-gc (bindings/node/scripts/test.sh does)');
  const t = tracker();
  const sids = [];
  // Everything made in here is unreachable once it returns.
  const work = async (round) => {
    const sid = session('gc');
    sids.push(sid);
    const c = t.track('client', client(sid));
    const body = { model: 'm', messages: MSG, stream: true };

    // 1. A stream read to its end.
    const finished = t.track('stream (finished)', await c.chat.completions.create(body));
    let text = '';
    for await (const chunk of finished) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'Hello from routerkit-mock! You said: hi');

    // 2. A stream left with `break` after its first chunk (the server then stalls).
    const broken = t.track('stream (break)', await c.chat.completions.create(body, { headers: stall }));
    for await (const chunk of broken) {
      assert.ok(chunk);
      break;
    }

    // 3. A stream aborted while it waits for the next chunk.
    const aborted = t.track('stream (abort)', await c.chat.completions.create(body, { headers: stall }));
    const it = aborted[Symbol.asyncIterator]();
    await it.next();
    const pending = it.next();
    aborted.controller.abort();
    assert.deepEqual(await pending, { value: undefined, done: true });

    // 4. The stream helper to its final message, and one aborted by a signal.
    const helper = t.track('helper (finished)', c.chat.completions.stream({ model: 'm', messages: MSG }));
    assert.equal((await helper.finalMessage()).content, 'Hello from routerkit-mock! You said: hi');
    const ac = new AbortController();
    const cut = t.track('helper (abort)', c.chat.completions.stream({ model: 'm', messages: MSG }, { signal: ac.signal, headers: stall }));
    cut.on('content', () => ac.abort());
    await assert.rejects(cut.finalMessage(), APIUserAbortError);

    // 5. A sibling client and a non-stream call.
    const sibling = t.track('client (withOptions)', c.withOptions({ maxRetries: 0 }));
    const r = await sibling.chat.completions.create({ model: 'm', messages: MSG });
    t.track('completion', r);
    return round;
  };
  for (let i = 0; i < ROUNDS; i++) await work(i);

  const result = await t.settle();
  for (const [kind, [collected, registered]] of Object.entries(result)) {
    assert.equal(registered, ROUNDS, kind);
    assert.equal(collected, registered, `${kind}: ${collected} of ${registered} collected`);
  }
  // Every abandoned stream closed its connection (the mock saw the client go away mid-stall).
  const stalled = (l) => l.filter((r) => r.headers['x-mock-step']);
  for (const sid of sids) {
    const log = await waitFor(sid, (l) => stalled(l).length === 3 && stalled(l).every((r) => r.client_disconnected));
    assert.deepEqual(stalled(log).map((r) => r.client_disconnected), [true, true, true], `${sid}: break, abort() and signal close their connection`);
  }
});
