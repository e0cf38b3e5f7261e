'use strict';
// Memory bounds (issue 22): peak RSS of a long stream, of a many-choices body and of gzip
// bombs. Each case runs in a fresh Node process, so that its peak RSS (VmHWM) is its own.
// ROUTERKIT_MEMORY_CHUNKS sets the long stream's length (default 200,000; `make soak` runs 10,000,000).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startMock, stopMock, session, script } = require('./helpers');

let mock;
before(async () => {
  mock = await startMock();
});
after(() => stopMock());

const CHILD = `
const OpenAI = require(${JSON.stringify(path.resolve(__dirname, '..'))});
// VmHWM, not maxRSS: Linux carries getrusage's maxrss across fork and exec (the parent's peak).
const peak = () => Number(require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\\s+(\\d+)/)[1]) / 1024;
(async () => {
  const [caseName, kw] = [process.argv[1], JSON.parse(process.argv[2])];
  const client = new OpenAI(kw);
  const msgs = [{ role: 'user', content: 'hi' }];
  const out = { before: peak() };
  if (caseName === 'stream') {
    let n = 0, seen = 0;
    const stream = client.chat.completions.stream({ model: 'm', messages: msgs });
    for await (const chunk of stream) {
      n += 1;
      if (chunk.choices.length) seen += (chunk.choices[0].delta.content ?? '').length;
    }
    const final = await stream.finalChatCompletion();
    Object.assign(out, { chunks: n, seen, final: final.choices[0].message.content.length });
  } else if (caseName === 'choices') {
    const r = await client.chat.completions.create({ model: 'm', messages: msgs });
    Object.assign(out, { choices: r.choices.length, last: r.choices.at(-1).message.content.length });
  } else {
    for (const what of ['chat', 'stream']) {
      try {
        if (what === 'chat') await client.chat.completions.create({ model: 'm', messages: msgs });
        else for await (const _ of await client.chat.completions.create({ model: 'm', messages: msgs, stream: true }));
        out[what] = 'no error';
      } catch (e) {
        out[what] = String(e.message);
      }
    }
  }
  out.peak = peak();
  console.log('MEMORY-RESULT ' + JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

async function runChild(caseName, steps, over = {}) {
  const sid = session('memory');
  await script(sid, steps);
  const kw = { apiKey: 'sk-test-memory', baseURL: mock.baseURL, defaultHeaders: { 'x-mock-session': sid }, ...over };
  const text = execFileSync(process.execPath, ['-e', CHILD, caseName, JSON.stringify(kw)], { encoding: 'utf8', timeout: 1_800_000 });
  const out = JSON.parse(text.split('\n').find((l) => l.startsWith('MEMORY-RESULT ')).slice('MEMORY-RESULT '.length));
  console.log(`MEMORY node ${caseName} ${JSON.stringify(out)}`);
  return out;
}

test('a long stream of tiny chunks: peak RSS under a fixed bound plus its text', async () => {
  const n = Number(process.env.ROUTERKIT_MEMORY_CHUNKS ?? 200_000);
  const out = await runChild('stream', [{ stream: { pieces: ['a', 'b', 'c', 'd'], repeat: n, usage: null, events_per_write: 512 } }]);
  assert.deepEqual([out.chunks, out.seen, out.final], [n + 1, n, n]);
  // The accumulated text is n bytes, kept in five forms: the engine's (a doubling buffer), the
  // helper's snapshot (flattened now and then: old and new copies until a GC), the final
  // completion's JSON text and its parsed content; V8's heap grows with slack over them. The
  // constant is a batch of 8,192 chunks parsed in JS while the young generation lags.
  // Measured (VmHWM): 200k chunks 117 MiB, 10M 192 (before the snapshot fix, the 10M: 350 MB).
  const bound = 128 + (10 * n) / 2 ** 20;
  assert.ok(out.peak < bound, `peak ${out.peak.toFixed(1)} MiB, bound ${bound.toFixed(1)} MiB`);
});

test('a 12 MB many-choices body: peak RSS within a multiple of its size', async () => {
  const out = await runChild('choices', [{ choices: 1000, content: 'x'.repeat(12_000) }]);
  assert.deepEqual([out.choices, out.last], [1000, 12_000]);
  const size = 12e6 / 2 ** 20;
  assert.ok(out.peak - out.before < 6 * size, `grew ${(out.peak - out.before).toFixed(1)} MiB for a ${size.toFixed(1)} MiB body`);
});

test('gzip bombs, streamed and not, fail naming their bound with peak RSS under 100 MiB', async () => {
  const out = await runChild('bombs', [{ gzip_bomb_bytes: 10 * 2 ** 30 }, { stream: { gzip_bomb_bytes: 10 * 2 ** 30 } }], { maxRetries: 0 });
  assert.match(out.chat, /max_body_bytes/);
  assert.match(out.stream, /max_event_bytes/);
  assert.ok(out.peak < 100, `peak ${out.peak.toFixed(1)} MiB`);
});
