'use strict';
// The client, shaped like openai-node's: options in, native call, plain objects out.

const util = require('node:util');
const native = require('./native');
const { APIUserAbortError, fromNative } = require('./errors');
const { Stream, ChatCompletionStream, batchFormat, sseBody } = require('./streaming');
const { APIPromise, fetchResponse } = require('./api-promise');
const { decodeEmbeddings } = require('./embeddings');
const { Responses } = require('./responses');

const INTERNAL = Symbol('routerkit.internal');
// The core's defaults, read once: they are not restated here.
const DEFAULTS = JSON.parse(native.defaultSettings());

// ---- value translation -------------------------------------------------------------

/** `{ name: value }`, a `Headers`, or `[[name, value]]` → flat `[name, value, …]`; null removes. */
function flatPairs(h) {
  if (h == null) return undefined;
  const out = [];
  const add = (k, v) => {
    if (v === undefined) return;
    out.push(String(k), v === null ? '' : String(v));
  };
  if (typeof h.forEach === 'function' && typeof h.get === 'function') h.forEach((v, k) => add(k, v));
  else if (Array.isArray(h)) for (const [k, v] of h) add(k, v);
  else for (const k of Object.keys(h)) add(k, h[k]);
  return out;
}

/** Bad caller input: a TypeError naming the parameter (`field`, as the engine's own errors do). */
function invalid(field, message) {
  const e = new TypeError(`invalid \`${field}\`: ${message}`);
  e.field = field;
  return e;
}

const kindOf = (v) => (typeof v === 'number' ? String(v) : typeof v);

function count(v, name, field) {
  if (!Number.isInteger(v)) throw invalid(field, `${name} must be an integer, got ${kindOf(v)}`);
  return v;
}

function millis(v, name, field) {
  // JSON, which carries options to the core, has no NaN or Infinity.
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(field, `${name} must be a finite number of milliseconds, got ${kindOf(v)}`);
  return v;
}

/**
 * The request body as JSON text. A value JSON cannot carry (BigInt, a cycle) names its parameter;
 * so does a function or symbol, which JSON.stringify would drop without a word.
 */
function encodeBody(body) {
  let text;
  try {
    text = JSON.stringify(body);
  } catch (e) {
    for (const k of Object.keys(body ?? {})) {
      try {
        JSON.stringify(body[k]);
      } catch (inner) {
        throw invalid(k, `is not JSON-serialisable: ${inner.message.split('\n')[0]}`);
      }
    }
    throw e;
  }
  if (body !== null && typeof body === 'object') {
    for (const k of Object.keys(body)) {
      const t = typeof body[k];
      if (t === 'function' || t === 'symbol') throw invalid(k, `is a ${t}, not a JSON value`);
    }
  }
  return text;
}

/** `{ name: value }`, a `Headers`, or `[[name, value]]` → `[[name, value], …]` for the core's options schema. */
function pairList(h) {
  const flat = flatPairs(h);
  if (flat === undefined) return undefined;
  const out = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** The client options as JSON text of the core's options schema (defaults and rules live in the core). */
function clientOptions(o) {
  const n = {};
  if (o.apiKey != null) {
    if (typeof o.apiKey !== 'string') throw invalid('api_key', `apiKey must be a string, got ${typeof o.apiKey}`);
    n.api_key = o.apiKey;
  }
  if (o.baseURL != null) n.base_url = o.baseURL;
  if (o.timeout != null) n.timeout_ms = millis(o.timeout, 'timeout', 'timeout');
  if (o.connectTimeout != null) n.connect_timeout_ms = millis(o.connectTimeout, 'connectTimeout', 'connect_timeout');
  if (o.deadline != null) n.deadline_ms = millis(o.deadline, 'deadline', 'deadline');
  if (o.keepaliveTimeout != null) n.keepalive_timeout_ms = millis(o.keepaliveTimeout, 'keepaliveTimeout', 'keepalive_timeout');
  if (o.maxBodyBytes != null) n.max_body_bytes = count(o.maxBodyBytes, 'maxBodyBytes', 'max_body_bytes');
  if (o.maxRetries != null) n.max_retries = count(o.maxRetries, 'maxRetries', 'max_retries');
  if (o.initialRetryDelay != null) n.initial_retry_delay_ms = millis(o.initialRetryDelay, 'initialRetryDelay', 'initial_retry_delay');
  if (o.maxRetryDelay != null) n.max_retry_delay_ms = millis(o.maxRetryDelay, 'maxRetryDelay', 'max_retry_delay');
  const headers = { ...o.defaultHeaders };
  if (o.organization != null) headers['OpenAI-Organization'] = o.organization;
  if (o.project != null) headers['OpenAI-Project'] = o.project;
  const list = pairList(headers);
  if (list.length) n.headers = list;
  if (o.tlsCaCert != null) {
    // Like tls.connect's `ca`: one value or an array; a string is a PEM file's path or PEM text.
    for (const c of Array.isArray(o.tlsCaCert) ? o.tlsCaCert : [o.tlsCaCert]) {
      if (typeof c === 'string') (n.tls_ca_cert ??= []).push(c);
      else if (c instanceof Uint8Array) (n.tls_ca_cert_pem ??= []).push(Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1'));
      else throw new TypeError('tlsCaCert must be a PEM file path or PEM text (string), a Buffer of PEM, or an array of them');
    }
  }
  if (o.allowInsecureHttp != null) n.allow_insecure_http = Boolean(o.allowInsecureHttp);
  return JSON.stringify(n);
}

/** Per-call options as JSON text of the core's options schema, or undefined for none. */
function callOptions(o) {
  if (o == null) return undefined;
  let n;
  if (o.timeout != null) (n ??= {}).timeout_ms = millis(o.timeout, 'timeout', 'timeout');
  if (o.deadline != null) (n ??= {}).deadline_ms = millis(o.deadline, 'deadline', 'deadline');
  if (o.keepaliveTimeout != null) (n ??= {}).keepalive_timeout_ms = millis(o.keepaliveTimeout, 'keepaliveTimeout', 'keepalive_timeout');
  if (o.maxRetries != null) (n ??= {}).max_retries = count(o.maxRetries, 'maxRetries', 'max_retries');
  if (o.headers != null || o.idempotencyKey != null) {
    const headers = pairList(o.headers) ?? [];
    if (o.idempotencyKey != null) headers.push(['Idempotency-Key', String(o.idempotencyKey)]);
    (n ??= {}).headers = headers;
  }
  if (o.query != null) (n ??= {}).query = pairList(o.query);
  if (o.extra_body != null) (n ??= {}).extra_body = o.extra_body;
  if (n === undefined) return undefined;
  try {
    return JSON.stringify(n);
  } catch (e) {
    throw invalid('extra_body', `is not JSON-serialisable: ${e.message.split('\n')[0]}`);
  }
}

/**
 * What the engine calls (with the receipt's JSON text, on the JavaScript thread, after the call
 * ended) for the user's `onReceipt`. What it throws becomes a process warning, never the call's error.
 */
function receiptHook(fn) {
  if (fn == null) return undefined;
  return (text) => {
    try {
      fn(JSON.parse(text));
    } catch (e) {
      process.emitWarning(`onReceipt threw: ${e?.stack ?? e}`, 'RouterkitWarning');
    }
  };
}

function nativeError(e) {
  // A call that is not a stream (nor a stream's opening): never an APIStreamError.
  return fromNative(e, false);
}

/** Runs `start(cancelToken)` with `options.signal` wired to cancel it. */
function withSignal(signal, start) {
  if (!signal) return start(undefined);
  if (signal.aborted) return Promise.reject(new APIUserAbortError());
  const token = new native.CancelToken();
  const onAbort = () => token.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  const p = start(token);
  p.then(
    () => signal.removeEventListener('abort', onAbort),
    () => signal.removeEventListener('abort', onAbort),
  );
  return p;
}

function call(fn) {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(fromNative(e, false));
  }
}

function parsed(r) {
  const data = JSON.parse(r.body);
  if (data !== null && typeof data === 'object') {
    Object.defineProperty(data, '_request_id', { value: r.requestId ?? null, enumerable: false, writable: true, configurable: true });
    Object.defineProperty(data, '_attempts', { value: r.attempts, enumerable: false, writable: true, configurable: true });
    // The route receipt, parsed when first read (most callers never look); not enumerable, so
    // the body's JSON and spreads stay what the gateway sent.
    let receipt;
    Object.defineProperty(data, 'receipt', {
      get: () => (receipt ??= r.receipt ? JSON.parse(r.receipt) : null),
      enumerable: false,
      configurable: true,
    });
  }
  return data;
}

/** The raw native response: `{ body…, requestId, response() }`, errors mapped. */
function rawCall(p, url) {
  return p.then(
    (r) => {
      r.response = () => fetchResponse(r.body, r.status, r.headers, url);
      return r;
    },
    (e) => {
      throw nativeError(e);
    },
  );
}

/** The URL a call went to, for `Response.url`. */
function url(client, path) {
  return `${client.baseURL.replace(/\/+$/, '')}/${path}`;
}

// ---- resources -----------------------------------------------------------------------

/**
 * One operation of the engine's table by name (`path` is its URL under the base, for
 * `Response.url`): a stream op resolves to a `Stream`, any other to the parsed body (or `parse`
 * of the raw response). Every resource method is one line over this.
 */
function request(client, op, path, body, options, parse = parsed) {
  const n = client[INTERNAL];
  if (op.endsWith('_stream')) {
    const controller = new AbortController();
    linkSignal(options?.signal, controller);
    const raw = call(() => {
      if (controller.signal.aborted) throw new APIUserAbortError();
      const token = new native.CancelToken();
      controller.signal.addEventListener('abort', () => token.cancel(), { once: true });
      return n.open(op, encodeBody(body), callOptions(options), token, batchFormat);
    }).then(
      (s) => {
        const stream = new Stream(s, controller);
        // The engine opens a stream only on a 2xx answer, and that is a 200 from every gateway.
        // `asResponse()` hands the body over as SSE text; `withResponse()`'s body belongs to the stream.
        const response = (withData) => fetchResponse(withData ? null : sseBody(stream), 200, s.headers, url(client, path));
        return { stream, requestId: s.requestId, response };
      },
      (e) => {
        throw controller.signal.aborted ? new APIUserAbortError() : nativeError(e);
      },
    );
    return new APIPromise(raw, (r) => r.stream);
  }
  const raw = call(() => {
    const text = body === undefined ? undefined : encodeBody(body);
    return rawCall(withSignal(options?.signal, (token) => n.call(op, text, callOptions(options), token)), url(client, path));
  });
  return new APIPromise(raw, parse);
}

/** Opens a stream op for a helper that keeps the native stream (its snapshot): resolves to it. */
function openStream(n, op, body, options, controller) {
  linkSignal(options?.signal, controller);
  return call(() => {
    if (controller.signal.aborted) throw new APIUserAbortError();
    const token = new native.CancelToken();
    controller.signal.addEventListener('abort', () => token.cancel(), { once: true });
    return n.open(op, encodeBody(body), callOptions(options), token, batchFormat);
  }).catch((e) => {
    throw controller.signal.aborted ? new APIUserAbortError() : nativeError(e);
  });
}

class Completions {
  #client;
  constructor(client) {
    this.#client = client;
  }

  /** `POST /chat/completions`; with `stream: true` the promise gives a `Stream` of chunks. */
  create(body, options) {
    return request(this.#client, body?.stream ? 'chat_stream' : 'chat', 'chat/completions', body, options);
  }

  /** openai-node's stream helper: events (`content`, `chunk`, …), async iteration, `finalMessage()`. */
  stream(body, options) {
    const n = this.#client[INTERNAL];
    return new ChatCompletionStream((controller) => {
      const token = new native.CancelToken();
      controller.signal.addEventListener('abort', () => token.cancel(), { once: true });
      const payload = body?.stream ? body : { ...body, stream: true };
      return n.open('chat_stream', encodeBody(payload), callOptions(options), token, 'events');
    }, options);
  }
}

function linkSignal(signal, controller) {
  if (!signal) return;
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
}

class Chat {
  constructor(client) {
    this.completions = new Completions(client);
  }
}

/** A page of models: `.data`, and async iteration over the models. */
function page(r) {
  const body = parsed(r);
  Object.defineProperty(body, Symbol.asyncIterator, {
    enumerable: false,
    value: async function* () {
      yield* body.data ?? [];
    },
  });
  Object.defineProperty(body, 'getPaginatedItems', { enumerable: false, value: () => body.data ?? [] });
  Object.defineProperty(body, 'hasNextPage', { enumerable: false, value: () => false });
  return body;
}

class Models {
  #client;
  constructor(client) {
    this.#client = client;
  }
  /** `GET /models`. Await it for the page, or `for await` over it for each model. */
  list(options) {
    const p = request(this.#client, 'models', 'models', undefined, options, page);
    p[Symbol.asyncIterator] = async function* () {
      yield* (await p).data ?? [];
    };
    return p;
  }
  /** `GET /models/{model}` (a gateway id may hold slashes: `openai/gpt-4.1`). */
  retrieve(model, options) {
    return request(this.#client, 'models.retrieve', `models/${model}`, { id: model }, options);
  }
}

class Embeddings {
  #client;
  constructor(client) {
    this.#client = client;
  }
  /**
   * `POST /embeddings`. As openai-node: without an `encoding_format`, asks for `base64` (a quarter
   * of the bytes) and decodes it to numbers; a given one is sent and answered as given.
   */
  create(body, options) {
    const given = Boolean(body?.encoding_format);
    const payload = given ? body : { ...body, encoding_format: 'base64' };
    return request(this.#client, 'embeddings', 'embeddings', payload, options, given ? parsed : (r) => decodeEmbeddings(parsed(r)));
  }
}

/** `client.completions`: the legacy completions endpoint (`prompt` in, `choices[].text` out). */
class TextCompletions {
  #client;
  constructor(client) {
    this.#client = client;
  }
  /** `POST /completions`; with `stream: true` the promise gives a `Stream` of `Completion` chunks. */
  create(body, options) {
    return request(this.#client, body?.stream ? 'completions_stream' : 'completions', 'completions', body, options);
  }
}

class Moderations {
  #client;
  constructor(client) {
    this.#client = client;
  }
  /** `POST /moderations`. */
  create(body, options) {
    return request(this.#client, 'moderations', 'moderations', body, options);
  }
}

// ---- the client ----------------------------------------------------------------------

class Client {
  #native;
  #apiKey;
  #options;

  /**
   * Options as openai-node's (`apiKey`, `baseURL`, `timeout` ms, `maxRetries`, `defaultHeaders`) plus
   * `connectTimeout`, `deadline`, `initialRetryDelay`, `maxRetryDelay` (ms), `tlsCaCert`, `allowInsecureHttp`. Missing key and base URL
   * come from `THEROUTER_API_KEY` / `THEROUTER_BASE_URL` (then `OPENAI_*`), then `.env`.
   */
  constructor(options = {}, internal) {
    const o = { ...options };
    this.#apiKey = o.apiKey ?? undefined;
    delete o.apiKey;
    this.#options = o;
    if (o.onReceipt != null && typeof o.onReceipt !== 'function') throw new TypeError('onReceipt must be a function');
    try {
      this.#native =
        internal?.native ?? new native.NativeClient(clientOptions({ ...o, apiKey: this.#apiKey }), receiptHook(o.onReceipt));
    } catch (e) {
      throw nativeError(e);
    }
    this.baseURL = this.#native.baseUrl;
    const settings = JSON.parse(this.#native.settings);
    this.timeout = settings.timeout_ms;
    this.maxRetries = settings.max_retries;
    this.chat = new Chat(this);
    this.models = new Models(this);
    this.embeddings = new Embeddings(this);
    this.completions = new TextCompletions(this);
    this.moderations = new Moderations(this);
    this.responses = new Responses(
      (op, body, options, shape) =>
        request(this, op, 'responses', body, options, shape ? (r) => shape(parsed(r)) : parsed),
      (op, body, options, controller) => openStream(this.#native, op, body, options, controller),
    );
  }

  /** @internal */
  get [INTERNAL]() {
    return this.#native;
  }

  /** The key given to the constructor (the one from the environment stays native). Never printed. */
  get apiKey() {
    return this.#apiKey ?? this.#native.maskedKey;
  }

  /** A client with some options changed, sharing this one's connection pool. */
  withOptions(options = {}) {
    const merged = { ...this.#options, ...options };
    const apiKey = options.apiKey ?? this.#apiKey;
    if (options.onReceipt != null && typeof options.onReceipt !== 'function') throw new TypeError('onReceipt must be a function');
    let sibling;
    try {
      sibling = this.#native.withOptions(clientOptions({ ...merged, apiKey }), receiptHook(options.onReceipt));
    } catch (e) {
      throw nativeError(e);
    }
    return new this.constructor({ ...merged, apiKey }, { native: sibling });
  }

  toJSON() {
    return { baseURL: this.baseURL, apiKey: this.#native.maskedKey, timeout: this.timeout, maxRetries: this.maxRetries };
  }

  [util.inspect.custom](depth, options, inspect) {
    return `${this.constructor.name} ${(inspect ?? util.inspect)(this.toJSON(), options)}`;
  }
}

Client.DEFAULT_TIMEOUT = DEFAULTS.timeout_ms;

module.exports = { Client, APIPromise, Completions, Chat, Models, Embeddings, TextCompletions, Moderations };
