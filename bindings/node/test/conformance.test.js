'use strict';
// Every scenario in tests/conformance/scenarios through the public Node API, against the mock
// (same semantics as the Rust runner, core/tests/conformance.rs). Streams run twice: through the
// raw `create({ stream: true })` iterator and through the `stream()` helper (which also gives the
// final completion: finish reason, tool calls, usage, reasoning).

const { test, before, after } = require('node:test');
const fs = require('node:fs');
const util = require('node:util');
const path = require('node:path');
const { startMock, stopMock, session, script, requests, waitFor, ROOT } = require('./helpers');
const OpenAI = require('..');
const { APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError, APIStreamError } = OpenAI;

const KEY = 'sk-test-conformance-key';
const DIR = process.env.ROUTERKIT_SCENARIOS || path.join(ROOT, 'tests', 'conformance', 'scenarios');
const scenarios = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [f.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'))]);

// The operations this runner runs, by the explicit list of tests/conformance/runners.json: a
// scenario of another operation is skipped by that list only (checked below).
const RUNNER_OPS = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'conformance', 'runners.json'), 'utf8')).node;
// The operations `perform` dispatches.
const HANDLED = ['chat', 'chat_stream', 'models', 'models.retrieve', 'embeddings', 'completions', 'completions_stream', 'moderations', 'responses', 'responses_stream'];

/** The keys of the object at JSON Pointer `pointer` in `text`, in the text's order. */
function keysAt(text, pointer) {
  let node = JSON.parse(text);
  for (const part of pointer.split('/').slice(1)) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node && typeof node === 'object' && !Array.isArray(node) ? Object.keys(node) : null;
}

let mock;
before(async () => {
  mock = await startMock();
});
after(() => stopMock());

function kindOf(err) {
  if (err instanceof TypeError) return 'invalid_request';
  if (err instanceof APIUserAbortError) return 'cancelled';
  if (err instanceof APIConnectionTimeoutError) return 'timeout';
  if (err instanceof APIConnectionError) return 'connection';
  if (err instanceof APIStreamError) return err.kind ?? 'stream';
  // A call that is not a stream fails with an APIError (never an APIStreamError) carrying the kind.
  if (err instanceof APIError && !err.status && err.kind) return err.kind;
  if (err instanceof APIError && err.status) return 'status';
  return `unknown (${err?.constructor?.name}: ${err?.message})`;
}

function makeClient(sid, cfg = {}, onReceipt = undefined) {
  const baseURL = cfg.base_url_suffix ? `${mock.url}${cfg.base_url_suffix}` : mock.baseURL;
  const o = { apiKey: KEY, baseURL, defaultHeaders: { ...cfg.default_headers, 'x-mock-session': sid }, onReceipt };
  if (cfg.initial_retry_delay_ms != null || cfg.max_retry_delay_ms != null) {
    // Explicit delays: exactly those given; the core's rule resolves the other.
    if (cfg.initial_retry_delay_ms != null) o.initialRetryDelay = cfg.initial_retry_delay_ms;
    if (cfg.max_retry_delay_ms != null) o.maxRetryDelay = cfg.max_retry_delay_ms;
  } else if (cfg.backoff !== 'real') Object.assign(o, { initialRetryDelay: 1, maxRetryDelay: 5 });
  if (cfg.max_retries != null) o.maxRetries = cfg.max_retries;
  if (cfg.timeout_ms != null) o.timeout = cfg.timeout_ms;
  if (cfg.connect_timeout_ms != null) o.connectTimeout = cfg.connect_timeout_ms;
  if (cfg.deadline_ms != null) o.deadline = cfg.deadline_ms;
  if (cfg.keepalive_timeout_ms != null) o.keepaliveTimeout = cfg.keepalive_timeout_ms;
  if (cfg.max_body_bytes != null) o.maxBodyBytes = cfg.max_body_bytes;
  return new OpenAI(o);
}

function requestOptions(o = {}) {
  const r = {};
  if (o.timeout_ms != null) r.timeout = o.timeout_ms;
  if (o.max_retries != null) r.maxRetries = o.max_retries;
  if (o.deadline_ms != null) r.deadline = o.deadline_ms;
  if (o.keepalive_timeout_ms != null) r.keepaliveTimeout = o.keepalive_timeout_ms;
  if (o.headers) r.headers = o.headers;
  return r;
}

function fromCompletion(c, out) {
  const choice = c?.choices?.[0];
  if (choice) {
    out.content = choice.message?.content ?? null;
    out.reasoning = choice.message?.reasoning_content ?? choice.message?.reasoning ?? null;
    out.finish_reason = choice.finish_reason ?? null;
    out.tool_calls = choice.message?.tool_calls ?? null;
  }
  out.usage = c?.usage ?? null;
}

/** A Responses API response in the scenarios' vocabulary. */
function fromResponse(r, out, withContent) {
  if (withContent) out.content = r.output_text;
  out.status = r.status ?? null;
  out.output_types = (r.output ?? []).map((i) => i.type);
  out.function_calls = (r.output ?? []).filter((i) => i.type === 'function_call').map((i) => ({ call_id: i.call_id, name: i.name, arguments: i.arguments }));
  const reasoning = (r.output ?? [])
    .filter((i) => i.type === 'reasoning')
    .flatMap((i) => i.summary ?? [])
    .map((s) => s.text)
    .join('');
  out.reasoning = reasoning || null;
  out.usage = r.usage ?? null;
}

async function perform(sid, sc, surface) {
  const out = { ok: false, chunk_count: 0, attempts: 0, hooked: [] };
  let client;
  try {
    client = makeClient(sid, sc.client ?? {}, (r) => out.hooked.push(r));
  } catch (e) {
    out.error = e;
    return out;
  }
  const call = sc.call;
  const opts = requestOptions(call.options ?? {});
  const cancelAfter = call.options?.cancel_after_chunks;
  try {
    switch (call.op) {
      case 'chat': {
        const r = await client.chat.completions.create(call.request, opts);
        out.result = r;
        out.ok = true;
        out.attempts = r._attempts;
        fromCompletion(r, out);
        break;
      }
      case 'chat_stream': {
        const stream =
          surface === 'raw' ? await client.chat.completions.create({ ...call.request, stream: true }, opts) : client.chat.completions.stream(call.request, opts);
        let content = '';
        let saw = false;
        out.stream = stream;
        try {
          for await (const chunk of stream) {
            out.receiptDuring ??= stream.receipt;
            if (chunk.choices?.length || chunk.usage) out.chunk_count++;
            const t = chunk.choices?.[0]?.delta?.content;
            if (typeof t === 'string') {
              content += t;
              saw = true;
            }
            if (cancelAfter != null && out.chunk_count >= cancelAfter) break;
          }
          out.ok = true;
        } finally {
          out.attempts = stream._attempts;
          if (surface === 'raw') out.usage = stream.usage ?? null;
          if (surface === 'helper' && cancelAfter == null && out.ok) fromCompletion(await stream.finalChatCompletion(), out);
          out.content = saw ? content : null;
        }
        break;
      }
      case 'models': {
        const page = await client.models.list(opts);
        out.result = page;
        out.ok = true;
        out.attempts = page._attempts;
        out.model_ids = page.data.map((m) => m.id);
        break;
      }
      case 'embeddings': {
        const r = await client.embeddings.create(call.request, opts);
        out.result = r;
        out.ok = true;
        out.attempts = r._attempts;
        out.embedding_count = r.data.length;
        break;
      }
      case 'models.retrieve': {
        const m = await client.models.retrieve(call.request.id, opts);
        out.result = m;
        out.ok = true;
        out.attempts = m._attempts;
        out.model_ids = [m.id];
        break;
      }
      case 'completions': {
        const r = await client.completions.create(call.request, opts);
        out.result = r;
        out.ok = true;
        out.attempts = r._attempts;
        out.content = r.choices?.[0]?.text ?? null;
        out.finish_reason = r.choices?.[0]?.finish_reason ?? null;
        out.usage = r.usage ?? null;
        break;
      }
      case 'completions_stream': {
        const stream = await client.completions.create({ ...call.request, stream: true }, opts);
        let content = '';
        out.stream = stream;
        try {
          for await (const chunk of stream) {
            out.receiptDuring ??= stream.receipt;
            if (chunk.choices?.length || chunk.usage) out.chunk_count++;
            if (chunk.usage) out.usage = chunk.usage;
            const c = chunk.choices?.[0];
            if (typeof c?.text === 'string') content += c.text;
            if (c?.finish_reason) out.finish_reason = c.finish_reason;
          }
          out.ok = true;
        } finally {
          out.attempts = stream._attempts;
          out.content = content;
        }
        break;
      }
      case 'responses': {
        const r = await client.responses.create(call.request, opts);
        out.result = r;
        out.ok = true;
        out.attempts = r._attempts;
        fromResponse(r, out, true);
        break;
      }
      case 'responses_stream': {
        const stream = surface === 'raw' ? await client.responses.create({ ...call.request, stream: true }, opts) : client.responses.stream(call.request, opts);
        let content = '';
        out.stream = stream;
        try {
          for await (const event of stream) {
            out.receiptDuring ??= stream.receipt;
            out.chunk_count++;
            if (event.type === 'response.output_text.delta') content += event.delta;
            if (surface === 'raw' && (event.type === 'response.completed' || event.type === 'response.incomplete')) fromResponse(event.response, out, false);
            if (cancelAfter != null && out.chunk_count >= cancelAfter) break;
          }
          out.ok = true;
        } finally {
          out.attempts = stream._attempts;
          if (surface === 'helper' && cancelAfter == null && out.ok) {
            const final = await stream.finalResponse();
            fromResponse(final, out, false);
            if (out.output_types.includes('message') && final.output_text !== content) throw new Error(`finalResponse().output_text ${final.output_text} != the deltas ${content}`);
          }
          out.content = content;
        }
        break;
      }
      case 'moderations': {
        const r = await client.moderations.create(call.request, opts);
        out.result = r;
        out.ok = true;
        out.attempts = r._attempts;
        out.moderation_flagged = r.results.map((m) => m.flagged);
        break;
      }
      default:
        throw new Error(`unknown op ${call.op}`);
    }
  } catch (e) {
    out.ok = false;
    out.error = e;
    if (e && typeof e.attempts === 'number') out.attempts = e.attempts;
  }
  out.receipt = (out.stream ?? out.result)?.receipt ?? out.error?.receipt ?? null;
  return out;
}

/** `expect.receipt` / `expect.receipt_during` (tests/conformance/README.md). */
function checkReceipt(what, want, got, fail) {
  if (!got) return fail(`${what}: no receipt`);
  for (const [key, w] of Object.entries(want)) {
    const actual = got[key];
    if (key === 'hook_calls') continue;
    if (key === 'present') {
      for (const k of w) if (got[k] == null) fail(`${what}.${k}: expected a value, got ${got[k]}`);
    } else if (key === 'min_time_to_first_token_ms') {
      const t = got.time_to_first_token_ms;
      if (t == null || t < w) fail(`${what}.time_to_first_token_ms: expected at least ${w}, got ${t}`);
    } else if (key === 'gateway_headers') {
      for (const [name, value] of Object.entries(w))
        if (!actual.some(([k, v]) => k === name && v === value)) fail(`${what}.gateway_headers: expected ${name}: ${value}, got ${JSON.stringify(actual)}`);
    } else if (key === 'attempts') {
      if (actual.length !== w.length) {
        fail(`${what}.attempts: expected ${w.length}, got ${JSON.stringify(actual)}`);
        continue;
      }
      w.forEach((wa, i) => {
        const ga = actual[i];
        for (const [k, v] of Object.entries(wa)) {
          const ok = k === 'min_delay_ms' ? ga.delay_ms >= v : k === 'max_delay_ms' ? ga.delay_ms <= v : subset(v, ga[k]);
          if (!ok) fail(`${what}.attempts[${i}].${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(ga)}`);
        }
      });
    } else if (!subset(w, actual)) fail(`${what}.${key}: expected ${JSON.stringify(w)}, got ${JSON.stringify(actual)}`);
  }
}

/** `expected` is contained in `actual` (objects: every key, recursively; else equal). */
function subset(expected, actual) {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    return actual && typeof actual === 'object' && Object.keys(expected).every((k) => subset(expected[k], actual[k]));
  }
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.length === actual.length && expected.every((v, i) => subset(v, actual[i]));
  return expected === actual;
}

function check(sc, out, log, elapsed, surface) {
  const e = sc.expect;
  const bad = [];
  const fail = (m) => bad.push(m);
  const show = (v) => JSON.stringify(v);
  if ('ok' in e && e.ok !== out.ok) fail(`ok: expected ${e.ok}, got ${out.ok} (error: ${out.error?.constructor?.name}: ${out.error?.message})`);
  for (const key of ['content', 'content_before_error']) {
    if (key in e && (e[key] ?? null) !== (out.content ?? null)) fail(`${key}: expected ${show(e[key])}, got ${show(out.content)}`);
  }
  // The raw iterator's usage is the stream's own (`stream.usage`): the usage chunk the engine asked for is kept back.
  if ('usage' in e && !subset(e.usage, out.usage)) fail(`usage: expected ${show(e.usage)}, got ${show(out.usage)}`);
  const fromFinal = surface !== 'raw' || sc.call.op !== 'chat_stream';
  if (fromFinal) {
    for (const key of ['reasoning', 'finish_reason']) {
      if (key in e && (e[key] ?? null) !== (out[key] ?? null)) fail(`${key}: expected ${show(e[key])}, got ${show(out[key])}`);
    }
    if ('tool_calls' in e && !subset(e.tool_calls, out.tool_calls)) fail(`tool_calls: expected ${show(e.tool_calls)}, got ${show(out.tool_calls)}`);
  }
  for (const key of ['chunk_count', 'chunks_before_error']) {
    if (key in e && e[key] !== out.chunk_count) fail(`${key}: expected ${e[key]}, got ${out.chunk_count}`);
  }
  if ('model_ids' in e && show(e.model_ids) !== show(out.model_ids)) fail(`model_ids: expected ${show(e.model_ids)}, got ${show(out.model_ids)}`);
  if ('embedding_count' in e && e.embedding_count !== out.embedding_count) fail(`embedding_count: expected ${e.embedding_count}, got ${out.embedding_count}`);
  if ('moderation_flagged' in e && show(e.moderation_flagged) !== show(out.moderation_flagged)) fail(`moderation_flagged: expected ${show(e.moderation_flagged)}, got ${show(out.moderation_flagged)}`);
  for (const key of ['status', 'output_types', 'function_calls']) {
    if (key in e && show(e[key]) !== show(out[key] ?? null)) fail(`${key}: expected ${show(e[key])}, got ${show(out[key])}`);
  }
  if ('attempts' in e && e.attempts !== out.attempts) fail(`attempts: expected ${e.attempts}, got ${out.attempts}`);
  if (e.error) {
    const want = e.error;
    const err = out.error;
    if (!err) fail(`expected error ${show(want)}, got success`);
    else {
      const kind = kindOf(err);
      if (want.kind && kind !== want.kind) fail(`error.kind: expected ${want.kind}, got ${kind} (${err.constructor?.name}: ${err.message})`);
      if (want.status != null && err.status !== want.status) fail(`error.status: expected ${want.status}, got ${err.status}`);
      if (want.code != null && String(err.code) !== String(want.code)) fail(`error.code: expected ${want.code}, got ${err.code}`);
      if (want.type != null && err.type !== want.type) fail(`error.type: expected ${want.type}, got ${err.type}`);
      if (want.param != null && err.param !== want.param) fail(`error.param: expected ${want.param}, got ${err.param}`);
      if (want.message_contains != null && !String(err.message).includes(want.message_contains))
        fail(`error.message: expected to contain ${show(want.message_contains)}, got ${show(err.message)}`);
      if (want.message_not_contains != null && (String(err.message).includes(want.message_not_contains) || util.inspect(err).includes(want.message_not_contains)))
        fail(`error.message: expected not to contain ${show(want.message_not_contains)}, got ${show(err.message)}`);
      if (want.request_id != null && err.requestID !== want.request_id) fail(`error.request_id: expected ${want.request_id}, got ${err.requestID}`);
      if (want.retry_after_ms != null && err.retryAfter !== want.retry_after_ms) fail(`error.retry_after_ms: expected ${want.retry_after_ms}, got ${err.retryAfter}`);
    }
  }
  if ('request_count' in e && e.request_count !== log.length) fail(`request_count: expected ${e.request_count}, got ${log.length}`);
  (e.requests ?? []).forEach((w, i) => {
    const got = log[i];
    if (!got) return fail(`requests[${i}]: not received`);
    for (const key of ['method', 'path']) if (key in w && got[key] !== w[key]) fail(`requests[${i}].${key}: expected ${w[key]}, got ${got[key]}`);
    if ('query' in w && (got.query ?? null) !== (w.query ?? null)) fail(`requests[${i}].query: expected ${w.query}, got ${got.query}`);
    for (const [k, v] of Object.entries(w.headers ?? {})) {
      if (got.headers[k.toLowerCase()] !== v) fail(`requests[${i}].headers.${k}: expected ${show(v)}, got ${show(got.headers[k.toLowerCase()])}`);
    }
    if (w.body_subset && !subset(w.body_subset, got.body)) fail(`requests[${i}].body: expected to contain ${show(w.body_subset)}, got ${show(got.body)}`);
    for (const k of w.body_absent ?? []) if (got.body && k in got.body) fail(`requests[${i}].body: ${k} should be absent`);
    for (const [pointer, keys] of Object.entries(w.body_key_order ?? {})) {
      const order = keysAt(got.body_text, pointer);
      if (show(order) !== show(keys)) fail(`requests[${i}].body_key_order ${show(pointer)}: expected ${show(keys)}, got ${show(order)}`);
    }
    if ('client_disconnected' in w && got.client_disconnected !== w.client_disconnected)
      fail(`requests[${i}].client_disconnected: expected ${w.client_disconnected}, got ${got.client_disconnected}`);
  });
  if (e.client_disconnected === true && !log.some((r) => r.client_disconnected)) fail('client_disconnected: the mock did not see the connection close');
  if (e.receipt) {
    checkReceipt('receipt', e.receipt, out.receipt, fail);
    if (e.receipt.hook_calls != null) {
      if (out.hooked.length !== e.receipt.hook_calls) fail(`receipt.hook_calls: expected ${e.receipt.hook_calls}, got ${out.hooked.length}`);
      for (const h of out.hooked) checkReceipt('hook receipt', e.receipt, h, fail);
    }
  }
  if (e.receipt_during) checkReceipt('receipt_during', e.receipt_during, out.receiptDuring, fail);
  if (e.max_elapsed_ms != null && elapsed > e.max_elapsed_ms) fail(`took ${elapsed} ms, more than ${e.max_elapsed_ms}`);
  if (e.min_elapsed_ms != null && elapsed < e.min_elapsed_ms) fail(`took ${elapsed} ms, less than ${e.min_elapsed_ms}`);
  return bad;
}

function wantsDisconnect(e) {
  return e.client_disconnected === true || (e.requests ?? []).some((r) => r.client_disconnected === true);
}

const runs = [];
const skipped = [];
for (const [name, sc] of scenarios) {
  if (!RUNNER_OPS.includes(sc.call.op)) skipped.push(name);
  else if (sc.call.op === 'chat_stream' || sc.call.op === 'responses_stream') runs.push([`${name} (raw stream)`, sc, 'raw'], [`${name} (stream helper)`, sc, 'helper']);
  else runs.push([name, sc, 'plain']);
}

test('this runner skips operations by its list in runners.json only', () => {
  if (JSON.stringify(RUNNER_OPS) !== JSON.stringify(HANDLED)) throw new Error(`runners.json lists ${RUNNER_OPS}, the runner dispatches ${HANDLED}`);
  console.log(`conformance: ${skipped.length} scenarios of operations this runner lacks skipped: ${skipped.join(', ')}`);
});

test('there are conformance scenarios', () => {
  if (scenarios.length < 40) throw new Error(`expected at least 40 scenarios in ${DIR}, found ${scenarios.length}`);
});

for (const [title, sc, surface] of runs) {
  test(title, { concurrency: true, timeout: 30000 }, async () => {
    const sid = session('conf');
    await script(sid, sc.mock ?? []);
    const t0 = performance.now();
    const out = await perform(sid, sc, surface);
    const elapsed = performance.now() - t0;
    // The hook runs on the JavaScript thread after the call settled: give it the ticks it needs.
    const hooks = sc.expect.receipt?.hook_calls;
    if (hooks != null) {
      for (let i = 0; i < 100 && out.hooked.length < hooks; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 20));
    }
    const log = wantsDisconnect(sc.expect) ? await waitFor(sid, (l) => l.some((r) => r.client_disconnected)) : await requests(sid);
    const bad = check(sc, out, log, elapsed, surface);
    if (bad.length) throw new Error(`${sc.name}: ${sc.description}\n  ${bad.join('\n  ')}`);
  });
}
