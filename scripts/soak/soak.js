'use strict';
// routerkit soak, Node driver (scripts/soak/run.sh runs it; see plan.json).
// Concurrent phase (SOAK_CONCURRENCY calls in flight), then sequential phase, one client.
// Every call must end with its full expected content or a typed error (the expected one,
// in the sequential phase): never a hang (a watchdog ends the process), never partial
// content reported as success. RSS after the run within 10% of RSS after the first calls;
// client sockets back within the pool, and the same count as the mock's gauge.
// Prints one line: SOAK-RESULT {json}.   usage: node soak.js MOCK_URL

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const OpenAI = require('../../bindings/node');

const PLAN = JSON.parse(fs.readFileSync(path.join(__dirname, 'plan.json'), 'utf8'));
const MOCK = process.argv[2].replace(/\/$/, '');
const PORT = Number(MOCK.split(':').pop());
const N_SEQ = Number(process.env.SOAK_SEQ ?? 10000);
const N_CONC = Number(process.env.SOAK_CONC ?? 1000);
const WIDTH = Number(process.env.SOAK_CONCURRENCY ?? 100);
const SID = `soak-node-${process.pid}`;
const WATCHDOG_MS = PLAN.call_watchdog_s * 1000;
const SEQ_POOL_SLACK = 4;
const failures = [];
const inflight = new Map();

const watchdog = setInterval(() => {
  const now = Date.now();
  for (const [call, t0] of inflight) {
    if (now - t0 > WATCHDOG_MS) {
      console.log(`SOAK-RESULT ${JSON.stringify({ lang: 'node', hangs: 1, failures: 1, first_failures: [`call ${call}: no end after ${WATCHDOG_MS} ms`] })}`);
      process.exit(3);
    }
  }
}, 1000);

/** A control request on a fresh connection, closed after (agent: false). */
function control(method, p, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${MOCK}/__mock/${p}`, { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => (res.statusCode >= 400 ? reject(new Error(`${p}: ${res.statusCode} ${text}`)) : resolve(text ? JSON.parse(text) : null)));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function rssKb() {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]);
}

function socketsTo(port) {
  const inodes = new Set();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const t = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (t.startsWith('socket:[')) inodes.add(t.slice(8, -1));
    } catch {
      /* closed meanwhile */
    }
  }
  let n = 0;
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let lines;
    try {
      lines = fs.readFileSync(table, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (parseInt(f[2].split(':').pop(), 16) === port && f[3] !== '06' && inodes.has(f[9])) n += 1;
    }
  }
  return n;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function settle(bound) {
  for (let i = 0; i < 100 && socketsTo(PORT) > bound; i++) await sleep(20);
  await sleep(100);
  return socketsTo(PORT);
}

const mockOpen = async () => (await control('GET', 'stats')).open_connections - 1;
const textFor = (phase, i) => `soak ${phase}${i}` + ' lorem'.repeat(i % 8);
const expected = (text) => `Hello from routerkit-mock! You said: ${text}`;

function classify(e) {
  if (e instanceof OpenAI.APIUserAbortError) return 'cancelled';
  if (e instanceof OpenAI.APIConnectionTimeoutError) return 'timeout';
  if (e instanceof OpenAI.APIConnectionError) return 'connection';
  if (e instanceof OpenAI.APIStreamError) return e.kind ?? 'stream';
  if (e instanceof OpenAI.APIError && e.status) return `status:${e.status}`;
  return `untyped:${e?.constructor?.name}:${e?.message}`;
}

async function oneCall(client, text, timeout, cancelAfter) {
  const content = [];
  let finish = null;
  let chunks = 0;
  let stream;
  try {
    stream = await client.chat.completions.create(
      { model: 'soak/model', messages: [{ role: 'user', content: text }], stream: true },
      timeout ? { timeout } : undefined,
    );
    for await (const chunk of stream) {
      chunks += 1;
      for (const c of chunk.choices) {
        if (c.delta?.content) content.push(c.delta.content);
        if (c.finish_reason) finish = c.finish_reason;
      }
      if (chunks === cancelAfter) {
        stream.controller.abort();
        return { outcome: 'cancelled', attempts: stream._attempts };
      }
    }
    return { outcome: 'ok', content: content.join(''), finish, attempts: stream._attempts };
  } catch (e) {
    return { outcome: classify(e), attempts: e?.attempts ?? stream?._attempts ?? 0 };
  }
}

async function main() {
  const kinds = PLAN.kinds;
  const client = new OpenAI({
    apiKey: 'sk-soak-0123456789',
    baseURL: `${MOCK}/v1`,
    defaultHeaders: { 'x-mock-session': SID },
    maxRetries: PLAN.max_retries,
    initialRetryDelay: 1,
    maxRetryDelay: 5,
  });
  const started = Date.now();
  let partial = 0;

  // Concurrent phase: the run's first calls.
  const concKinds = Array.from({ length: N_CONC }, (_, j) => PLAN.concurrent_sequence[j % PLAN.concurrent_sequence.length]);
  await control('POST', `sessions/${SID}/script`, concKinds.flatMap((k) => kinds[k].steps));
  let t0 = Date.now();
  const results = new Array(N_CONC);
  let next = 0;
  await Promise.all(
    Array.from({ length: WIDTH }, async () => {
      while (next < N_CONC) {
        const j = next++;
        inflight.set(`c${j}`, Date.now());
        results[j] = await oneCall(client, textFor('c', j), PLAN.concurrent_timeout_ms, kinds[concKinds[j]].cancel_after);
        inflight.delete(`c${j}`);
      }
    }),
  );
  const concSecs = (Date.now() - t0) / 1000;
  const count = (m, k) => (m[k] = (m[k] ?? 0) + 1);
  const concOutcomes = {};
  const concFaults = {};
  concKinds.forEach((k) => count(concFaults, k));
  results.forEach((out, j) => {
    count(concOutcomes, out.outcome);
    if (out.outcome === 'ok' && (out.content !== expected(textFor('c', j)) || out.finish !== 'stop')) {
      partial += 1;
      failures.push(`conc ${j}: success with content ${JSON.stringify(out.content)}`);
    } else if (!PLAN.concurrent_allowed.includes(out.outcome)) {
      failures.push(`conc ${j}: outcome ${out.outcome}`);
    }
  });
  const socketsAfterConc = await settle(WIDTH);
  const mockAfterConc = await mockOpen();
  if (socketsAfterConc > WIDTH) failures.push(`${socketsAfterConc} sockets open after the concurrent phase (pool bound ${WIDTH})`);
  if (mockAfterConc !== socketsAfterConc) failures.push(`after the concurrent phase the mock sees ${mockAfterConc} open connections, the client ${socketsAfterConc}`);
  if (global.gc) global.gc();
  const rssFirst = rssKb();

  // Sequential phase: each call's steps are consumed in order, so its outcome is known.
  const faults = {};
  const outcomes = {};
  const samples = [];
  t0 = Date.now();
  const BLOCK = 500;
  for (let b = 0; b < N_SEQ; b += BLOCK) {
    const ids = [];
    for (let i = b; i < Math.min(b + BLOCK, N_SEQ); i++) ids.push(i);
    await control('POST', `sessions/${SID}/script`, ids.flatMap((i) => kinds[PLAN.sequence[i % PLAN.sequence.length]].steps));
    for (const i of ids) {
      const name = PLAN.sequence[i % PLAN.sequence.length];
      const kind = kinds[name];
      count(faults, name);
      const text = textFor('s', i);
      inflight.set(`s${i}`, Date.now());
      const out = await oneCall(client, text, kind.timeout_ms, kind.cancel_after);
      inflight.delete(`s${i}`);
      count(outcomes, out.outcome);
      if ((i + 1) % 1000 === 0) {
        if (global.gc) global.gc();
        const m = process.memoryUsage();
        samples.push([rssKb(), Math.round(m.heapTotal / 1024), Math.round(m.external / 1024)]);
      }
      if (out.outcome === 'ok' && (out.content !== expected(text) || out.finish !== 'stop')) {
        partial += 1;
        failures.push(`seq ${i} (${name}): success with content ${JSON.stringify(out.content)} finish ${out.finish}`);
      } else if (out.outcome !== kind.expect || out.attempts !== kind.attempts) {
        failures.push(`seq ${i} (${name}): ${out.outcome} after ${out.attempts} attempts, expected ${kind.expect} after ${kind.attempts}`);
      }
    }
  }
  const seqSecs = (Date.now() - t0) / 1000;
  // At most SEQ_POOL_SLACK more (a connection goes back to the pool asynchronously: the next call may open another).
  const socketsAfterSeq = await settle(socketsAfterConc + SEQ_POOL_SLACK);
  const mockAfterSeq = await mockOpen();
  if (socketsAfterSeq > socketsAfterConc + SEQ_POOL_SLACK) failures.push(`${socketsAfterSeq} sockets open after the sequential phase, ${socketsAfterConc} before it`);
  if (mockAfterSeq !== socketsAfterSeq) failures.push(`after the sequential phase the mock sees ${mockAfterSeq} open connections, the client ${socketsAfterSeq}`);
  const left = (await control('GET', `sessions/${SID}/script`)).remaining;
  await control('DELETE', `sessions/${SID}`);
  if (global.gc) global.gc();
  const rssEnd = rssKb();
  const growth = ((rssEnd - rssFirst) / rssFirst) * 100;
  if (growth > 10) failures.push(`RSS grew ${growth.toFixed(1)}% from ${rssFirst} kB after the first ${N_CONC} calls to ${rssEnd} kB`);
  const result = {
    lang: 'node',
    concurrent: { calls: N_CONC, width: WIDTH, faults: concFaults, outcomes: concOutcomes, secs: concSecs, script_steps_left: left },
    sequential: { calls: N_SEQ, faults, outcomes, secs: seqSecs },
    rss_kb: { after_first_calls: rssFirst, end: rssEnd, growth_pct: Math.round(growth * 10) / 10, heap_used_end: Math.round(process.memoryUsage().heapUsed / 1024), every_1000_sequential_rss_heapTotal_external: samples },
    sockets: { after_concurrent: socketsAfterConc, mock_after_concurrent: mockAfterConc, after_sequential: socketsAfterSeq, mock_after_sequential: mockAfterSeq, pool_bound: WIDTH, sequential_slack: SEQ_POOL_SLACK },
    hangs: 0,
    partial_as_success: partial,
    failures: failures.length,
    first_failures: failures.slice(0, 10),
    secs: (Date.now() - started) / 1000,
  };
  console.log(`SOAK-RESULT ${JSON.stringify(result)}`);
  clearInterval(watchdog);
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((e) => {
  console.log(`SOAK-RESULT ${JSON.stringify({ lang: 'node', failures: 1, first_failures: [String(e?.stack ?? e)] })}`);
  process.exit(1);
});
