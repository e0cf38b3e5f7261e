'use strict';
// openai-node's `APIPromise`: a promise for the parsed body with `asResponse()` (a fetch
// `Response`) and `withResponse()` (`{ data, response, request_id }`). The status, headers and
// body come from the engine's response; this file only dresses them as the fetch API's objects.

const { STATUS_CODES } = require('node:http');
const { toHeaders } = require('./errors');

function entries(flat) {
  const out = [];
  for (let i = 0; flat && i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/**
 * A fetch `Response` over what the engine received: `body` (text, a ReadableStream, or null),
 * `status`, `headers` (flat `[name, value, …]`). `url` is the request's URL, as fetch sets it.
 */
function fetchResponse(body, status, headers, url) {
  // The Response constructor refuses a body with 204/205/304 and statuses outside 200-599.
  const bodyless = status === 204 || status === 205 || status === 304;
  const res = new Response(bodyless ? null : body, {
    status: status >= 200 && status <= 599 ? status : 200,
    statusText: STATUS_CODES[status] ?? '',
    headers: toHeaders(entries(headers)),
  });
  if (url) Object.defineProperty(res, 'url', { value: url, enumerable: false, configurable: true });
  return res;
}

/**
 * Lazy like openai-node's: the body is parsed when the promise is awaited (or `withResponse()`
 * is called), not for `asResponse()`, which hands the body over unread.
 * `raw` resolves to `{ requestId, response(withData): Response, … }`; `parse(raw)` gives the data.
 */
class APIPromise extends Promise {
  #raw;
  #parse;
  #data;
  constructor(raw, parse) {
    super((resolve) => resolve(null));
    this.#raw = raw;
    this.#parse = parse;
  }
  static get [Symbol.species]() {
    return Promise;
  }
  #parsed() {
    return (this.#data ??= this.#raw.then(this.#parse));
  }
  /** The raw `Response` (unread body); the data is not parsed. */
  asResponse() {
    return this.#raw.then((r) => r.response());
  }
  /** The parsed data, the `Response` and the request id. */
  async withResponse() {
    const data = await this.#parsed();
    const r = await this.#raw;
    // `true`: the data is handed out too (a stream's body is then the stream's, not the Response's).
    return { data, response: r.response(true), request_id: r.requestId ?? null };
  }
  /** A promise for the data after `transform` (openai-node's `_thenUnwrap`). */
  _thenUnwrap(transform) {
    return new APIPromise(this.#raw, (r) => Promise.resolve(this.#parse(r)).then((data) => transform(data, r)));
  }
  then(onfulfilled, onrejected) {
    return this.#parsed().then(onfulfilled, onrejected);
  }
  catch(onrejected) {
    return this.#parsed().catch(onrejected);
  }
  finally(onfinally) {
    return this.#parsed().finally(onfinally);
  }
}

module.exports = { APIPromise, fetchResponse, entries };
