'use strict';
// One benchmark client process, routerkit (Node) or openai-node (see bench/README.md):
//   node client.js --client routerkit|openai --module <package dir>
//                  --mode stream|seq|concurrent|startup|responses-stream|responses-concurrent
//                  --url http://127.0.0.1:PORT [--n N] [--repeat R] [--streams S]
//   node client.js --client routerkit --module <dir> --mode hedge --url URL --n N --step JSON --session SID
//                  [--hedge-after-ms H]
// The responses-* modes are stream and concurrent over the Responses API (`responses.create({stream: true})`):
// N `response.output_text.delta` events per stream, every typed event read and counted (`events`),
// the deltas checked (`deltas`).
// Prints one JSON line. CPU is process.cpuUsage() (every thread, the addon's runtime included);
// rss_kb is the process's peak (VmHWM).
const t0 = performance.now();
const argv = process.argv.slice(2);
const arg = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const mode = arg('--mode');
const which = arg('--client');
const mod = require(arg('--module'));
const OpenAI = mod.default ?? mod.OpenAI ?? mod;
if (mode === 'startup') new OpenAI({ apiKey: 'sk-bench', baseURL: 'http://127.0.0.1:9/v1' });
const importMs = performance.now() - t0;

const fs = require('node:fs');
const url = arg('--url', '');
const N = Number(arg('--n', 1000));
const R = Number(arg('--repeat', 1));
const S = Number(arg('--streams', 200));
const MSGS = [{ role: 'user', content: 'bench' }];
// Streamed deltas take these in turn: consecutive chunks differ, as a model's tokens do.
const PIECES = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.'];
const name = which === 'routerkit' ? 'routerkit-node' : 'openai-node';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const rssKb = () => Number((fs.readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/) || [0, 0])[1]);
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))] : 0;
};

async function script(count, n) {
  const steps = Array.from({ length: count }, () => ({ stream: { pieces: PIECES, repeat: n, usage: null } }));
  const r = await fetch(`${url}/__mock/sessions/default/script`, { method: 'POST', body: JSON.stringify(steps) });
  if (r.status !== 200) throw new Error(await r.text());
}

// The hedge benchmark's two-model chain (bench/lib/hedge.py): the mock's step makes SLOW_MODEL slow
// on a fraction of calls; FAST_MODEL, the chain's next model, never is.
const SLOW_MODEL = 'bench/slow';
const FAST_MODEL = 'bench/fast';

// N sequential streamed calls on the chain, hedged after --hedge-after-ms (0: not hedged); the
// mock's step comes in the x-mock-step header of every request, in a session of its own (its
// counter picks the slow calls, the same ones in every run).
async function hedge() {
  const hedgeAfter = Number(arg('--hedge-after-ms', 0));
  const c = new OpenAI({
    apiKey: 'sk-bench-0123456789',
    baseURL: `${url}/v1`,
    maxRetries: 0,
    fallbackModels: [FAST_MODEL],
    ...(hedgeAfter > 0 ? { hedgeAfter } : {}),
    defaultHeaders: { 'x-mock-step': arg('--step', '{}'), 'x-mock-session': arg('--session', 'hedge') },
  });
  const call = async () => {
    const t0 = performance.now();
    let first = null;
    const s = await c.chat.completions.create({ model: SLOW_MODEL, messages: MSGS, stream: true });
    for await (const chunk of s) {
      if (first === null && chunk.choices[0]?.delta?.content) first = performance.now() - t0;
    }
    if (first === null) throw new Error('no content');
    return { first, hedge: s.receipt.hedge };
  };
  await call(); // warm: connection, lazy state (the mock counts it: the same in every run)
  const firsts = [];
  let fired = 0;
  let won = 0;
  const c0 = cpu();
  const w0 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = await call();
    firsts.push(r.first);
    fired += r.hedge.fired ? 1 : 0;
    won += r.hedge.hedge_won ? 1 : 0;
  }
  return { calls: N, wall_s: (performance.now() - w0) / 1e3, cpu_s: cpu() - c0, firsts_ms: firsts, hedges_fired: fired, hedges_won: won };
}

async function main() {
  if (mode === 'startup') {
    console.log(JSON.stringify({ client: name, mode, import_ms: importMs, rss_kb: rssKb() }));
    return;
  }
  if (mode === 'hedge') {
    console.log(JSON.stringify({ client: name, mode, ...(await hedge()), rss_kb: rssKb() }));
    return;
  }
  const c = new OpenAI({ apiKey: 'sk-bench-0123456789', baseURL: `${url}/v1`, maxRetries: 0 });
  const chat = async () => {
    const r = await c.chat.completions.create({ model: 'm', messages: MSGS });
    if (!r.choices[0].message.content) throw new Error('empty answer');
  };
  const stream = async (start, firsts) => {
    const s = await c.chat.completions.create({ model: 'm', messages: MSGS, stream: true });
    let n = 0;
    for await (const chunk of s) {
      if (chunk.choices[0]?.delta?.content) {
        if (n === 0 && firsts) firsts.push(performance.now() - start);
        n++;
      }
    }
    return n;
  };
  // One Responses stream read to the end: [typed events, text deltas]; `firsts` gets the first delta's time.
  const responsesStream = async (start, firsts) => {
    const s = await c.responses.create({ model: 'm', input: 'bench', stream: true });
    let events = 0;
    let deltas = 0;
    for await (const ev of s) {
      events++;
      if (ev.type === 'response.output_text.delta' && ev.delta) {
        if (deltas === 0 && firsts) firsts.push(performance.now() - start);
        deltas++;
      }
    }
    return [events, deltas];
  };
  const out = { client: name, mode };
  if (mode.startsWith('responses-')) {
    const r = await c.responses.create({ model: 'm', input: 'bench' }); // warm: connection, lazy state
    if (!r.output_text) throw new Error('empty answer');
    const count = mode === 'responses-stream' ? R : S;
    await script(count, N);
    const firsts = [];
    const c0 = cpu();
    const w0 = performance.now();
    let counts;
    if (mode === 'responses-stream') {
      counts = [];
      for (let i = 0; i < count; i++) counts.push(await responsesStream(performance.now(), null));
    } else if (mode === 'responses-concurrent') {
      counts = await Promise.all(Array.from({ length: count }, () => responsesStream(w0, firsts)));
    } else {
      throw new Error(`unknown mode ${mode}`);
    }
    const sum = (k) => counts.reduce((a, c) => a + c[k], 0);
    Object.assign(out, { wall_s: (performance.now() - w0) / 1e3, cpu_s: cpu() - c0, events: sum(0), deltas: sum(1) });
    if (mode === 'responses-concurrent') Object.assign(out, { first_p50_ms: pct(firsts, 0.5), first_p99_ms: pct(firsts, 0.99) });
    if (out.deltas !== N * count) throw new Error(`got ${out.deltas} deltas`);
    out.rss_kb = rssKb();
    console.log(JSON.stringify(out));
    return;
  }
  await chat(); // warm: connection, lazy state
  if (mode === 'stream') {
    await script(R, N);
    const c0 = cpu();
    const w0 = performance.now();
    let chunks = 0;
    for (let i = 0; i < R; i++) chunks += await stream(performance.now(), null);
    Object.assign(out, { wall_s: (performance.now() - w0) / 1e3, cpu_s: cpu() - c0, chunks });
    if (chunks !== N * R) throw new Error(`got ${chunks} chunks`);
  } else if (mode === 'seq') {
    const lat = [];
    const c0 = cpu();
    const w0 = performance.now();
    for (let i = 0; i < N; i++) {
      const s = performance.now();
      await chat();
      lat.push(performance.now() - s);
    }
    Object.assign(out, { wall_s: (performance.now() - w0) / 1e3, cpu_s: cpu() - c0, requests: N, p50_ms: pct(lat, 0.5), p99_ms: pct(lat, 0.99) });
  } else if (mode === 'concurrent') {
    await script(S, N);
    const firsts = [];
    const c0 = cpu();
    const w0 = performance.now();
    const counts = await Promise.all(Array.from({ length: S }, () => stream(w0, firsts)));
    const chunks = counts.reduce((a, b) => a + b, 0);
    Object.assign(out, { wall_s: (performance.now() - w0) / 1e3, cpu_s: cpu() - c0, chunks, first_p50_ms: pct(firsts, 0.5), first_p99_ms: pct(firsts, 0.99) });
    if (chunks !== N * S) throw new Error(`got ${chunks} chunks`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  out.rss_kb = rssKb();
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
