'use strict';
// `client.responses`: the Responses API as openai-node has it. `create` (plain, or `stream: true`
// for a `Stream` of typed events), `stream(...)` (a `ResponseStream`: events by type, async
// iteration, `finalResponse()`), and `output_text` on every response. The stream's end and error
// rules and the final response come from the engine's `responses_stream` operation.

const { APIUserAbortError, OpenAIError } = require('./errors');
const { Stream } = require('./streaming');

/** openai-node's `output_text`: the text of every `output_text` part of every message item. */
function addOutputText(response) {
  if (response === null || typeof response !== 'object') return response;
  const texts = [];
  for (const item of response.output ?? []) {
    if (item?.type !== 'message') continue;
    for (const part of item.content ?? []) if (part?.type === 'output_text') texts.push(part.text ?? '');
  }
  response.output_text = texts.join('');
  return response;
}

/** The events a `ResponseStream` reads from `open(controller)`, with openai-node's surface. */
class ResponseStream {
  #listeners = new Map();
  #native;
  #stream;
  #done;
  #final;
  #error;
  #ended = false;
  #iterating = false;

  /** @internal */
  constructor(open) {
    this.controller = new AbortController();
    // Events are read as soon as a listener or a final-value method asks, or on iteration.
    this.#done = Promise.resolve()
      .then(() => open(this.controller))
      .then(({ native, stream }) => {
        this.#native = native;
        this.#stream = stream;
      });
    this.#done.catch(() => {});
  }

  get _request_id() {
    return this.#native?.requestId ?? null;
  }

  get _attempts() {
    return this.#native?.attempts;
  }

  /**
   * The route receipt (models asked and served, provider, gateway ids, attempts with their delays,
   * timings, usage and cost): what is known so far during the stream, final (`complete`) after its end or abort.
   */
  get receipt() {
    const text = this.#native?.receipt;
    return text ? JSON.parse(text) : null;
  }

  get ended() {
    return this.#ended;
  }

  /** The response as the engine accumulated it from the events so far. */
  currentResponseSnapshot() {
    const text = this.#native?.snapshot();
    return text ? addOutputText(JSON.parse(text)) : undefined;
  }

  on(event, listener) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, []);
    this.#listeners.get(event).push({ listener, once: false });
    this.#start();
    return this;
  }

  off(event, listener) {
    const list = this.#listeners.get(event);
    if (list) this.#listeners.set(event, list.filter((l) => l.listener !== listener));
    return this;
  }

  once(event, listener) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, []);
    this.#listeners.get(event).push({ listener, once: true });
    this.#start();
    return this;
  }

  #emit(event, ...args) {
    const list = this.#listeners.get(event);
    if (!list) return;
    this.#listeners.set(event, list.filter((l) => !l.once));
    for (const { listener } of list) listener(...args);
  }

  #running;
  #start() {
    if (this.#iterating) return this.#running ?? Promise.resolve();
    return (this.#running ??= (async () => {
      try {
        for await (const event of this) void event;
      } catch {
        // Reported by `done()` / `finalResponse()` and the `error` listeners.
      }
    })());
  }

  /** Stops the stream and closes its connection. */
  abort() {
    this.controller.abort();
  }

  /** Resolves when the stream ended (rejects with its error). */
  async done() {
    await this.#start();
    if (this.#error) throw this.#error;
  }

  /** The final response: the `response` of `response.completed`, else what the events built. */
  async finalResponse() {
    await this.done();
    if (this.#final) return this.#final;
    const snapshot = this.currentResponseSnapshot();
    if (!snapshot) throw new OpenAIError('the stream ended without a response');
    return snapshot;
  }

  [Symbol.asyncIterator]() {
    this.#iterating = true;
    let inner;
    const self = this;
    const fail = (e) => {
      self.#ended = true;
      self.#error = e;
      if (!(e instanceof APIUserAbortError) || self.#listeners.has('abort')) {
        self.#emit(e instanceof APIUserAbortError ? 'abort' : 'error', e);
      }
      throw e;
    };
    return {
      async next() {
        try {
          await self.#done;
          inner ??= self.#stream[Symbol.asyncIterator]();
          const r = await inner.next();
          if (r.done) {
            self.#ended = true;
            self.#emit('end');
            return r;
          }
          const event = r.value;
          if ((event.type === 'response.completed' || event.type === 'response.incomplete') && event.response) {
            self.#final = addOutputText(event.response);
          }
          self.#emit('event', event);
          self.#emit(event.type, event);
          return r;
        } catch (e) {
          return fail(e);
        }
      },
      async return() {
        self.#ended = true;
        if (inner) await inner.return();
        else self.controller.abort();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

/** `client.responses`, given the client's `open` and `request` machinery (no native code of its own). */
class Responses {
  #request;
  #open;
  constructor(request, open) {
    this.#request = request;
    this.#open = open;
  }

  /** `POST /responses`; with `stream: true` the promise gives a `Stream` of typed events. */
  create(body, options) {
    if (body?.stream) return this.#request('responses_stream', body, options);
    return this.#request('responses', body, options, addOutputText);
  }

  /** openai-node's stream helper: `on('response.output_text.delta', …)`, async iteration, `finalResponse()`. */
  stream(body, options) {
    return new ResponseStream((controller) => {
      const payload = body?.stream ? body : { ...body, stream: true };
      return this.#open('responses_stream', payload, options, controller).then((native) => ({
        native,
        stream: new Stream(native, controller),
      }));
    });
  }
}

module.exports = { Responses, ResponseStream, addOutputText };
