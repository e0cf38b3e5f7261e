'use strict';
// One measurement in this process: node bench.js <routerkit|openai> <stream|seq|concurrent> <mockURL>
// Prints one JSON line. The CPU figures are process-wide (process.cpuUsage), so routerkit's
// native threads count as well as the JS thread.

const [, , which, what, url] = process.argv;
const path = require('node:path');
const OpenAI =
  which === 'routerkit'
    ? require(process.env.ROUTERKIT_MODULE || path.resolve(__dirname, '../../bindings/node'))
    : require(path.resolve(__dirname, '../.peers/node/node_modules/openai')).default;

const MSG = [{ role: 'user', content: 'bench' }];
// Streamed deltas take these in turn: consecutive chunks differ, as a model's tokens do.
const PIECES = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.'];

async function script(sid, steps) {
  const r = await fetch(`${url}/__mock/sessions/${sid}/script`, { method: 'POST', body: JSON.stringify(steps) });
  if (r.status !== 200) throw new Error(await r.text());
}

function client(sid) {
  return new OpenAI({ apiKey: 'sk-bench-0123456789', baseURL: `${url}/v1`, maxRetries: 0, defaultHeaders: { 'x-mock-session': sid } });
}

async function consume(c, n) {
  const stream = await c.chat.completions.create({ model: 'm', messages: MSG, stream: true });
  let chunks = 0;
  let deltas = 0;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.choices[0]?.delta?.content) deltas++;
  }
  if (deltas !== n) throw new Error(`got ${deltas} content deltas, expected ${n}`);
  return chunks;
}

async function main() {
  const sid = `bench-${which}-${what}-${process.pid}`;
  const c = client(sid);
  if (what === 'stream') {
    const N = Number(process.env.BENCH_CHUNKS ?? 100000);
    await script(sid, [{}, { stream: { pieces: PIECES, repeat: N, usage: null } }]);
    await c.chat.completions.create({ model: 'm', messages: MSG }); // warm the connection
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const chunks = await consume(c, N);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(JSON.stringify({ which, what, chunks, cpu_ms: cpuMs, us_per_chunk: (cpuMs * 1000) / chunks, wall_ms: wall }));
  } else if (what === 'seq') {
    const N = Number(process.env.BENCH_REQUESTS ?? 3000);
    for (let i = 0; i < 200; i++) await c.chat.completions.create({ model: 'm', messages: MSG });
    const lat = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const s = performance.now();
      await c.chat.completions.create({ model: 'm', messages: MSG });
      lat.push(performance.now() - s);
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    lat.sort((a, b) => a - b);
    const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
    console.log(JSON.stringify({ which, what, requests: N, rps: (N * 1000) / wall, p50_ms: q(0.5), p99_ms: q(0.99), cpu_ms: (cpu.user + cpu.system) / 1000 }));
  } else if (what === 'concurrent') {
    const S = Number(process.env.BENCH_STREAMS ?? 200);
    const N = Number(process.env.BENCH_STREAM_CHUNKS ?? 1000);
    await script(sid, Array.from({ length: S }, () => ({ stream: { pieces: PIECES, repeat: N, usage: null } })));
    const t0 = performance.now();
    const counts = await Promise.all(Array.from({ length: S }, () => consume(c, N)));
    const wall = performance.now() - t0;
    const chunks = counts.reduce((a, b) => a + b, 0);
    console.log(JSON.stringify({ which, what, streams: S, chunks, chunks_per_s: (chunks * 1000) / wall, wall_ms: wall }));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
