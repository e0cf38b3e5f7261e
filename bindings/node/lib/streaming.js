'use strict';
// `Stream` (what `create({ stream: true })` returns) and `ChatCompletionStream`
// (`chat.completions.stream()`), over the native batch pull. Chunks, helper
// events and the final completion all come from the core: this file parses
// batches and hands them out in JavaScript's idiom (async iteration, events).

const { OpenAIError, APIUserAbortError, fromNative } = require('./errors');
const { EventStream } = require('./events');

const DONE = Object.freeze({ value: undefined, done: true });

// Chunks cross as shapes and values (bindings/node/src/shapes.rs): a shape is an object
// literal over `v`, compiled once per process into a builder that gives what
// `JSON.parse` would. Where code generation is disallowed, chunks cross as JSON.
const builders = new Map();
// Shapes per stream at most (shapes.rs MAX_SHAPES): the factor of the mask in a chunk's number.
const SHAPES = 32;
const MAX_BUILDERS = 4096;
const batchFormat = (() => {
  try {
    return new Function('v', 'return v')(1) === 1 ? 'shapes' : 'json';
  } catch {
    return 'json';
  }
})();

function builder(shape) {
  let build = builders.get(shape);
  if (build === undefined) {
    build = new Function('v', `'use strict'; return ${shape};`);
    if (builders.size < MAX_BUILDERS) builders.set(shape, build);
  }
  return build;
}

/** One stream's decoder: batch elements in, chunks out (one at a time, so a batch's chunks die young). */
class ChunkDecoder {
  #shapes = [];
  #values = [];
  #batch = [];
  #at = 0;

  load(batch) {
    this.#batch = batch;
    this.#at = 0;
  }

  clear() {
    this.#batch = [];
    this.#at = 0;
  }

  /** The next chunk of the loaded batch, or undefined when it is used up. */
  next() {
    const batch = this.#batch;
    while (this.#at < batch.length) {
      const element = batch[this.#at++];
      if (typeof element === 'number') {
        // The shape's number and the mask of the values that changed, as `shape + SHAPES × mask`.
        const shape = element % SHAPES;
        const values = this.#values[shape];
        for (let k = 0, mask = (element - shape) / SHAPES; mask !== 0; k++, mask >>>= 1) {
          if (mask & 1) values[k] = batch[this.#at++];
        }
        return this.#shapes[shape](values);
      }
      if (typeof element !== 'string') return element;
      this.#shapes.push(builder(element));
      this.#values.push([]);
    }
    return undefined;
  }
}

function linkSignal(signal, controller) {
  if (!signal) return;
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
}

/** Async iterable of raw chunks, one native promise per batch. */
class Stream {
  #native;
  #consumed = false;

  /** @internal */
  constructor(native, controller) {
    this.#native = native;
    /** Aborting it cancels the request and closes the connection. */
    this.controller = controller;
    if (controller.signal.aborted) native.close();
    else controller.signal.addEventListener('abort', () => native.close(), { once: true });
  }

  /** The gateway's request id (`x-request-id` and friends). */
  get _request_id() {
    return this.#native.requestId ?? null;
  }

  /** Attempts made before the stream started. */
  get _attempts() {
    return this.#native.attempts;
  }

  /**
   * The route receipt (models asked and served, provider, gateway ids, attempts with their delays,
   * timings, usage and cost): what is known so far during the stream, final (`complete`) after its end or abort.
   */
  get receipt() {
    const text = this.#native?.receipt;
    return text ? JSON.parse(text) : null;
  }

  /**
   * The call's usage, once the gateway sent it. The engine asks for usage on every stream; the
   * `choices: []` chunk that brings it is handed over only to a caller who asked for it
   * (`stream_options`), so that loops reading `chunk.choices[0]` keep working.
   */
  get usage() {
    const text = this.#native.usage;
    return text ? JSON.parse(text) : undefined;
  }

  /** Stops the stream and closes its connection. */
  abort() {
    this.controller.abort();
  }

  [Symbol.asyncIterator]() {
    if (this.#consumed) throw new OpenAIError('Cannot iterate over a consumed stream, use `.tee()` to split the stream.');
    this.#consumed = true;
    const native = this.#native;
    const controller = this.controller;
    const decoder = new ChunkDecoder();
    let done = false;
    // As openai-node 7: once the caller has aborted (`stream.controller.abort()`, its own signal),
    // the loop ends quietly; what the engine had read past the abort is dropped.
    const end = () => {
      done = true;
      decoder.clear();
      return DONE;
    };
    // Everything the engine has read so far, in one batch; waits only when nothing is there.
    const take = () => {
      const text = native.takeBatch();
      if (text === null) return native.waitBatch().then(take);
      if (text === '') {
        done = true;
        return DONE;
      }
      decoder.load(JSON.parse(text));
      return { value: decoder.next(), done: false };
    };
    const onError = (e) => {
      if (controller.signal.aborted) return end();
      end();
      throw fromNative(e);
    };
    return {
      next() {
        if (controller.signal.aborted) return Promise.resolve(end());
        const chunk = decoder.next();
        if (chunk !== undefined) return Promise.resolve({ value: chunk, done: false });
        if (done) return Promise.resolve(DONE);
        try {
          const result = take();
          return result instanceof Promise ? result.catch(onError) : Promise.resolve(result);
        } catch (e) {
          try {
            return Promise.resolve(onError(e));
          } catch (mapped) {
            return Promise.reject(mapped);
          }
        }
      },
      return() {
        // `break` out of `for await`: cancel the request, free the connection.
        if (!done) {
          done = true;
          controller.abort();
        }
        decoder.clear();
        return Promise.resolve(DONE);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Two independent streams over the same chunks (buffers what one reads ahead of the other). */
  tee() {
    const left = [];
    const right = [];
    const iterator = this[Symbol.asyncIterator]();
    const teeIterator = (queue) => ({
      next: () => {
        if (queue.length === 0) {
          const result = iterator.next();
          left.push(result);
          right.push(result);
        }
        return queue.shift();
      },
    });
    const make = (queue) => {
      const s = Object.create(Stream.prototype);
      s.controller = this.controller;
      s[Symbol.asyncIterator] = () => teeIterator(queue);
      return s;
    };
    return [make(left), make(right)];
  }
}

/**
 * A stream's chunks as the SSE body a gateway sends (`data: {...}` events, then `data: [DONE]`),
 * for `asResponse()` on a stream: the caller reads the body itself. Pulled only when read;
 * cancelling the body aborts the stream.
 */
function sseBody(stream) {
  const encoder = new TextEncoder();
  let iterator;
  return new ReadableStream(
    {
      async pull(controller) {
        iterator ??= stream[Symbol.asyncIterator]();
        try {
          const { value, done } = await iterator.next();
          if (done) {
            controller.enqueue(encoder.encode('data: [DONE]\n\n'));
            controller.close();
          } else {
            controller.enqueue(encoder.encode(`data: ${JSON.stringify(value)}\n\n`));
          }
        } catch (e) {
          controller.error(e);
        }
      },
      cancel() {
        stream.controller.abort();
      },
    },
    { highWaterMark: 0 },
  );
}

/** openai-node's chat stream helper: events, async iteration and final results. */
/**
 * A text that grows by appends (a snapshot of content, reasoning, arguments). V8 joins strings
 * as ropes: each append leaves a node of about 32 bytes that lives as long as the string, so
 * over a stream of 10 million one-character deltas the snapshot held 320 MB for 10 MB of text.
 * Flattening it (`Number(text)` makes V8 flatten its argument) once the appends since the last
 * flattening reach 1/32 of its length keeps it near its length, at an amortised copy of 32
 * bytes an append (and it is faster than walking the rope later).
 */
class Snapshot {
  text = '';
  #appends = 0;

  add(delta) {
    this.text += delta;
    if (++this.#appends > 4096 && this.#appends > this.text.length >>> 5) {
      Number(this.text);
      this.#appends = 0;
    }
    return this.text;
  }
}

class ChatCompletionStream extends EventStream {
  #native = null;
  #completion = null;
  #content = [];
  #refusal = [];
  #reasoning = [];
  #args = new Map();
  #queue = null;
  #wake = null;
  #parsing = null;

  /** @internal */
  constructor(start, options, parsing = null) {
    super();
    this.controller = new AbortController();
    // Structured outputs (lib/parsing.js streamParsing): parses the done events and the final completion.
    this.#parsing = parsing;
    linkSignal(options?.signal, this.controller);
    // Start on the next tick, after the caller has attached its listeners.
    Promise.resolve().then(() => this.#run(start));
  }

  /** The completion accumulated by the engine so far (as of the last batch). */
  get currentChatCompletionSnapshot() {
    if (this.#completion) return this.#completion;
    const text = this.#native?.snapshot();
    return text ? JSON.parse(text) : undefined;
  }

  get _request_id() {
    return this.#native?.requestId ?? null;
  }

  /** Attempts made so far (a retry before the first event counts). */
  get _attempts() {
    return this.#native?.attempts ?? 0;
  }

  /**
   * The route receipt (models asked and served, provider, gateway ids, attempts with their delays,
   * timings, usage and cost): what is known so far during the stream, final (`complete`) after its end or abort.
   */
  get receipt() {
    const text = this.#native?.receipt;
    return text ? JSON.parse(text) : null;
  }

  async #run(start) {
    const controller = this.controller;
    try {
      if (controller.signal.aborted) throw new APIUserAbortError();
      const native = await start(controller);
      this.#native = native;
      if (controller.signal.aborted) native.close();
      else controller.signal.addEventListener('abort', () => native.close(), { once: true });
      this._connected();
      for (;;) {
        const text = await native.nextBatch();
        if (text === null) break;
        const { chunks, events } = JSON.parse(text);
        const wantChunk = this._listening('chunk');
        const snapshot = wantChunk ? this.currentChatCompletionSnapshot : undefined;
        let e = 0;
        for (let k = 0; k < chunks.length; k++) {
          // A listener may abort mid-batch: the rest of the batch is dropped, not emitted.
          if (controller.signal.aborted) throw new APIUserAbortError();
          const chunk = chunks[k];
          if (wantChunk) this._emit('chunk', chunk, snapshot);
          for (; e < events.length && events[e][0] === k; e++) this.#emitEvent(events[e]);
          if (this.#queue !== null) this.#queue.push(chunk);
        }
        this.#wakeReader();
      }
      const completion = JSON.parse(await native.finish());
      if (this.#parsing !== null) this.#parsing.final(completion);
      this.#completion = completion;
      this._emit('chatCompletion', completion);
      const message = completion.choices?.[0]?.message;
      if (message) {
        if (!('content' in message)) message.content = null;
        this.#withUsage(message);
        this._emit('message', message);
        for (const call of message.tool_calls ?? []) if (call.type === 'function') this._emit('functionToolCall', call.function);
      }
      this._emit('finalChatCompletion', completion);
      if (message) this._emit('finalMessage', message);
      if (message?.content) this._emit('finalContent', message.content);
      if (completion.usage) this._emit('totalUsage', this.#totalUsage());
      this._finish();
    } catch (e) {
      this._fail(controller.signal.aborted ? new APIUserAbortError() : fromNative(e));
    }
  }

  #withUsage(message) {
    // The seed guide prints `finalMessage.usage?.total_tokens`: carry the stream's usage,
    // non-enumerable so that sending the message back in `messages` does not send it.
    if (this.#completion?.usage && !Object.prototype.hasOwnProperty.call(message, 'usage')) {
      Object.defineProperty(message, 'usage', { value: this.#completion.usage, enumerable: false, configurable: true, writable: true });
    }
    return message;
  }

  #emitEvent(ev) {
    // [chunkIndex, name, choice, text, (toolIndex, toolName)]
    const name = ev[1];
    const choice = ev[2];
    const text = ev[3];
    switch (name) {
      case 'content.delta': {
        const snapshot = (this.#content[choice] ??= new Snapshot()).add(text);
        this._emit('content', text, snapshot);
        this._emit('content.delta', { delta: text, snapshot, parsed: null });
        break;
      }
      case 'content.done':
        this._emit('content.done', { content: text, parsed: this.#parsing !== null ? this.#parsing.content(text) : null });
        break;
      case 'refusal.delta': {
        const snapshot = (this.#refusal[choice] ??= new Snapshot()).add(text);
        this._emit('refusal.delta', { delta: text, snapshot });
        break;
      }
      case 'refusal.done':
        this._emit('refusal.done', { refusal: text });
        break;
      case 'reasoning.delta': {
        const snapshot = (this.#reasoning[choice] ??= new Snapshot()).add(text);
        this._emit('reasoning.delta', { delta: text, snapshot });
        break;
      }
      case 'tool_calls.function.arguments.delta': {
        const key = `${choice}:${ev[4]}`;
        let args = this.#args.get(key);
        if (args === undefined) this.#args.set(key, (args = new Snapshot()));
        const snapshot = args.add(text);
        this._emit(name, { name: ev[5], index: ev[4], arguments: snapshot, parsed_arguments: null, arguments_delta: text });
        break;
      }
      case 'tool_calls.function.arguments.done':
        this._emit(name, { name: ev[5], index: ev[4], arguments: text, parsed_arguments: this.#parsing !== null ? this.#parsing.args(ev[5], text) : null });
        break;
      default:
        this._emit(name, text);
    }
  }

  /** @internal */
  _onEnd() {
    this.#wakeReader();
  }

  #wakeReader() {
    const wake = this.#wake;
    if (wake !== null) {
      this.#wake = null;
      wake();
    }
  }

  async finalChatCompletion() {
    await this.done();
    if (!this.#completion) throw new OpenAIError('stream ended without producing a ChatCompletion');
    return this.#completion;
  }

  async finalMessage() {
    await this.done();
    const message = this.#completion?.choices?.[0]?.message;
    if (!message) throw new OpenAIError('stream ended without producing a ChatCompletionMessage with role=assistant');
    return this.#withUsage(message);
  }

  async finalContent() {
    await this.done();
    return this.#completion?.choices?.[0]?.message?.content ?? null;
  }

  async totalUsage() {
    await this.done();
    return this.#totalUsage();
  }

  #totalUsage() {
    const u = this.#completion?.usage;
    return {
      completion_tokens: u?.completion_tokens ?? 0,
      prompt_tokens: u?.prompt_tokens ?? 0,
      total_tokens: u?.total_tokens ?? 0,
    };
  }

  allChatCompletions() {
    return this.#completion ? [this.#completion] : [];
  }

  [Symbol.asyncIterator]() {
    this._catching();
    const queue = (this.#queue = []);
    let i = 0;
    return {
      next: async () => {
        for (;;) {
          // Aborted: what was read ahead is dropped and the loop throws, as openai-node's helper does,
          // once the helper has taken the abort in (its `abort` event first, `aborted` set).
          if (this.controller.signal.aborted) {
            while (!this.ended) await new Promise((resolve) => (this.#wake = resolve));
            throw this._error ?? new APIUserAbortError();
          }
          if (i < queue.length) {
            const value = queue[i++];
            if (i > 1024) {
              queue.splice(0, i);
              i = 0;
            }
            return { value, done: false };
          }
          if (this._error) throw this._error;
          if (this.ended) return DONE;
          await new Promise((resolve) => (this.#wake = resolve));
        }
      },
      return: async () => {
        this.abort();
        return DONE;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

module.exports = { Stream, ChatCompletionStream, batchFormat, sseBody };
