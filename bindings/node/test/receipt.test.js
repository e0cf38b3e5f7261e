'use strict';
// The route receipt in Node: `response.receipt` (not enumerable), `stream.receipt`, `err.receipt`,
// and the client's `onReceipt` hook (a throwing one becomes a warning). The receipt's fields are
// pinned by the conformance scenarios (240-247) in every language.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startMock, stopMock, session, script } = require('./helpers');
const OpenAI = require('..');

const KEY = 'sk-secret-0123456789abcdefghijklmnop';
const MSG = [{ role: 'user', content: 'hi' }];
let mock;

before(async () => {
  mock = await startMock();
});
after(() => stopMock());

function client(sid, opts = {}) {
  return new OpenAI({ apiKey: KEY, baseURL: mock.baseURL, initialRetryDelay: 1, maxRetryDelay: 5, ...opts, defaultHeaders: { 'x-mock-session': sid } });
}

const settle = async (pred) => {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
};

test('response, error and hook receipts; the receipt stays out of the body', async () => {
  const sid = session();
  const got = [];
  const c = client(sid, { onReceipt: (r) => got.push(r) });
  await script(sid, [{ provider: 'Groq', cost: 0.5 }, { status: 503 }, { status: 400 }]);
  const r = await c.chat.completions.create({ model: 'openai/gpt-4.1', messages: MSG });
  assert.equal(r.receipt.provider, 'Groq');
  assert.equal(r.receipt.cost, 0.5);
  assert.equal(r.receipt, r.receipt, 'parsed once');
  assert.ok(!('receipt' in JSON.parse(JSON.stringify(r))));
  const err = await c.chat.completions.create({ model: 'openai/gpt-4.1', messages: MSG }).catch((e) => e);
  assert.equal(err.status, 400);
  assert.deepEqual(
    err.receipt.attempts.map((a) => a.status),
    [503, 400],
  );
  await settle(() => got.length >= 2);
  assert.equal(got.length, 2);
  assert.ok(got.every((g) => g.complete));
  assert.ok(!JSON.stringify(got).includes(KEY));
});

test('a stream reports at abort; withOptions keeps the hook; a throwing hook is a warning', async () => {
  const sid = session();
  const got = [];
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on('warning', onWarning);
  const c = client(sid, {
    onReceipt: (r) => {
      got.push(r);
      throw new Error('broken hook');
    },
  }).withOptions({ maxRetries: 0 });
  await script(sid, [{ stream: { content: 'a b c d e', delay_ms_between: 30 } }]);
  const stream = await c.chat.completions.create({ model: 'openai/gpt-4.1', messages: MSG, stream: true });
  for await (const _ of stream) {
    const during = stream.receipt;
    assert.equal(during.complete, false);
    assert.ok(during.time_to_first_token_ms != null);
    break;
  }
  assert.equal(stream.receipt.complete, true, 'final as soon as the loop left');
  await settle(() => got.length >= 1 && warnings.length >= 1);
  process.off('warning', onWarning);
  assert.equal(got.length, 1);
  assert.equal(got[0].attempts[0].error, 'cancelled');
  assert.ok(warnings.some((w) => w.name === 'RouterkitWarning' && /broken hook/.test(w.message)));
  assert.throws(() => client(sid, { onReceipt: 'no' }), TypeError);
});

test('withOptions may give the sibling a hook of its own', async () => {
  const sid = session();
  const [first, second] = [[], []];
  const parent = client(sid, { onReceipt: (r) => first.push(r) });
  const child = parent.withOptions({ onReceipt: (r) => second.push(r) });
  await child.chat.completions.create({ model: 'openai/gpt-4.1', messages: MSG });
  await parent.chat.completions.create({ model: 'openai/gpt-4.1', messages: MSG });
  // A sibling of the sibling keeps the hook its parent was given, not the first client's.
  await child.withOptions({ maxRetries: 0 }).chat.completions.create({ model: 'openai/gpt-4.1', messages: MSG });
  await settle(() => first.length >= 1 && second.length >= 2);
  assert.deepEqual([first.length, second.length], [1, 2]);
});
