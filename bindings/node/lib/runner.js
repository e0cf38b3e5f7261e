'use strict';
// openai-node's tool runner: `chat.completions.runTools()` returns a `ChatCompletionRunner`
// (or, with `stream: true`, a `ChatCompletionStreamingRunner`). The conversation (what is sent
// next, which calls run, the messages appended, the rounds counted, the usage summed, the final
// results) is the core's state machine (core/src/tool_runner.rs), stepped through the one native
// helper; this file calls the caller's functions between steps and emits the peer's events.

const native = require('./native');
const { OpenAIError, APIUserAbortError, fromNative } = require('./errors');
const { EventStream } = require('./events');

const DONE = Object.freeze({ value: undefined, done: true });

/** One step of the core's tool runner (JSON in, JSON out). */
function step(name, input) {
  let text;
  try {
    text = native.helper(name, JSON.stringify(input));
  } catch (e) {
    throw fromNative(e);
  }
  return JSON.parse(text);
}

function isRunnableFunctionWithParse(fn) {
  return typeof fn?.parse === 'function';
}

/** A tool made by a parse helper (`zodFunction`), which keeps its callback and parser aside. */
function isAutoParsableTool(tool) {
  return tool?.$brand === 'auto-parseable-tool';
}

/** What a function returned, as the tool message's content (openai-node's rule). */
function stringify(raw) {
  if (typeof raw === 'string') return raw;
  if (raw === undefined) return 'undefined';
  return JSON.stringify(raw);
}

class AbstractChatCompletionRunner extends EventStream {
  #state = null;
  #final = null;
  #chatCompletions = [];
  #initialMessages;

  /** @internal */
  constructor(params, options) {
    super();
    this.controller = new AbortController();
    const signal = options?.signal;
    if (signal) {
      if (signal.aborted) this.controller.abort();
      else signal.addEventListener('abort', () => this.controller.abort(), { once: true });
    }
    this.#initialMessages = Array.isArray(params?.messages) ? params.messages : [];
  }

  /** The conversation so far: the caller's messages, then every assistant and tool message. */
  get messages() {
    return this.#state?.messages ?? this.#initialMessages;
  }

  /** @internal Starts the run on the next tick, after the caller attached its listeners. */
  _start(params, options, round) {
    Promise.resolve().then(() => this.#run(params, options, round));
  }

  async #run(params, options, round) {
    const controller = this.controller;
    try {
      if (controller.signal.aborted) throw new APIUserAbortError();
      const { stream: _stream, toolContext, ...rest } = params;
      if (!Array.isArray(rest.tools)) throw new OpenAIError('`tools` must be an array of tools');
      const functions = Object.create(null);
      rest.tools = rest.tools.map((tool) => {
        let t = tool;
        if (isAutoParsableTool(tool)) {
          if (!tool.$callback) throw new OpenAIError('Tool given to `.runTools()` that does not have an associated function');
          t = {
            type: 'function',
            function: {
              function: tool.$callback,
              name: tool.function.name,
              description: tool.function.description || '',
              parameters: tool.function.parameters,
              parse: tool.$parseRaw,
              strict: true,
            },
          };
        }
        if (t?.type !== 'function') return t;
        const f = t.function;
        const name = f.name || f.function?.name;
        if (!(name in functions)) functions[name] = f;
        return { type: 'function', function: { name, parameters: f.parameters, description: f.description, strict: f.strict } };
      });
      const maxChatCompletions = options?.maxChatCompletions;
      let s = step('tool_runner.start', { params: rest, max_chat_completions: maxChatCompletions ?? null });
      this.#state = s.state;
      const runCall = async (call) => {
        const fn = functions[call.name];
        let raw;
        if (isRunnableFunctionWithParse(fn)) {
          let parsed;
          try {
            parsed = await fn.parse(call.arguments);
          } catch (error) {
            return { tool_call_id: call.id, output: error instanceof Error ? error.message : String(error), called: false };
          }
          raw = await fn.function(parsed, this, toolContext);
        } else {
          raw = await fn.function(call.arguments, this, toolContext);
        }
        return { tool_call_id: call.id, output: stringify(raw), called: true };
      };
      for (;;) {
        if (s.action === 'request') {
          const completion = await round(s.body, { ...options, signal: controller.signal });
          if (controller.signal.aborted) throw new APIUserAbortError();
          this._connected();
          s = step('tool_runner.completion', { state: this.#state, completion });
          this.#state = s.state;
          this.#chatCompletions.push(s.completion);
          this._emit('chatCompletion', s.completion);
        } else if (s.action === 'call_tools') {
          const settled = await Promise.allSettled(s.calls.map(runCall));
          // Every call of the round settles before a failure ends the run, so that no tool's
          // side effects go on after the runner has ended (as openai-node).
          for (const r of settled) if (r.status === 'rejected') throw r.reason;
          if (controller.signal.aborted) throw new APIUserAbortError();
          s = step('tool_runner.results', { state: this.#state, results: settled.map((r) => r.value) });
          this.#state = s.state;
        }
        for (const m of s.added ?? []) this._addMessage(m);
        if (s.action === 'done') break;
      }
      this.#final = s.final;
      this.#emitFinal();
      this._finish();
    } catch (e) {
      this._fail(controller.signal.aborted ? new APIUserAbortError() : e);
    }
  }

  /** @internal Emits the events of a message appended to the conversation. */
  _addMessage(message) {
    this._emit('message', message);
    if (message.role === 'tool' && message.content) {
      this._emit('functionToolCallResult', message.content);
    } else if (message.role === 'assistant' && message.tool_calls) {
      for (const call of message.tool_calls) if (call.type === 'function') this._emit('functionToolCall', call.function);
    }
  }

  #emitFinal() {
    const f = this.#final ?? {};
    const completion = this.#chatCompletions[this.#chatCompletions.length - 1];
    if (completion) this._emit('finalChatCompletion', completion);
    if (f.message) this._emit('finalMessage', f.message);
    if (f.content) this._emit('finalContent', f.content);
    if (f.function_tool_call) this._emit('finalFunctionToolCall', f.function_tool_call);
    if (f.function_tool_call_result != null) this._emit('finalFunctionToolCallResult', f.function_tool_call_result);
    if (f.total_usage) this._emit('totalUsage', f.total_usage);
  }

  async finalChatCompletion() {
    await this.done();
    const completion = this.#chatCompletions[this.#chatCompletions.length - 1];
    if (!completion) throw new OpenAIError('stream ended without producing a ChatCompletion');
    return completion;
  }

  async finalContent() {
    await this.done();
    return this.#finalMessage().content ?? null;
  }

  #finalMessage() {
    const message = this.#final?.message;
    if (!message) throw new OpenAIError('stream ended without producing a ChatCompletionMessage with role=assistant');
    return message;
  }

  async finalMessage() {
    await this.done();
    return this.#finalMessage();
  }

  async finalFunctionToolCall() {
    await this.done();
    return this.#final?.function_tool_call ?? undefined;
  }

  async finalFunctionToolCallResult() {
    await this.done();
    return this.#final?.function_tool_call_result ?? undefined;
  }

  async totalUsage() {
    await this.done();
    return this.#final?.total_usage ?? { completion_tokens: 0, prompt_tokens: 0, total_tokens: 0 };
  }

  /** The chat completions received so far, in request order. */
  allChatCompletions() {
    return [...this.#chatCompletions];
  }
}

/** `runTools()` without `stream`: one chat completion per round; `content` per assistant reply. */
class ChatCompletionRunner extends AbstractChatCompletionRunner {
  /** @internal */
  _addMessage(message) {
    super._addMessage(message);
    if (message.role === 'assistant' && message.content) this._emit('content', message.content);
  }
}

/** The chunk events a streamed round passes on (the stream helper's own events). */
const FORWARDED = [
  'content.delta',
  'content.done',
  'refusal.delta',
  'refusal.done',
  'reasoning.delta',
  'tool_calls.function.arguments.delta',
  'tool_calls.function.arguments.done',
];

/** `runTools({ stream: true })`: every round streamed; async iteration gives every round's chunks. */
class ChatCompletionStreamingRunner extends AbstractChatCompletionRunner {
  #queue = [];
  #wake = null;
  #current = null;

  /** @internal One streamed round over the stream helper: its chunks and deltas, then its completion. */
  _round(open) {
    return (body, options) => {
      const s = open(body, options);
      this.#current = s;
      s.on('chunk', (chunk, snapshot) => {
        this._emit('chunk', chunk, snapshot);
        this.#queue.push(chunk);
        this.#wakeReader();
      });
      s.on('content', (delta, snapshot) => this._emit('content', delta, snapshot));
      for (const name of FORWARDED) s.on(name, (e) => this._emit(name, e));
      return s.finalChatCompletion();
    };
  }

  /** The current round's completion accumulated so far. */
  get currentChatCompletionSnapshot() {
    return this.#current?.currentChatCompletionSnapshot;
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

  [Symbol.asyncIterator]() {
    this._catching();
    const queue = this.#queue;
    let i = 0;
    let failure = null;
    this.once('error', (e) => (failure = e));
    this.once('abort', (e) => (failure = e));
    return {
      next: async () => {
        for (;;) {
          if (i < queue.length) return { value: queue[i++], done: false };
          if (failure) throw failure;
          if (this.ended) {
            if (this.errored) await this.done();
            return DONE;
          }
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

/** `chat.completions.runTools(params, options)`; `create(body, options)` and `stream(body, options)` do the rounds. */
function runTools(params, options, create, stream) {
  if (params?.stream) {
    const runner = new ChatCompletionStreamingRunner(params, options);
    runner._start(params, options, runner._round(stream));
    return runner;
  }
  const runner = new ChatCompletionRunner(params, options);
  runner._start(params, options, (body, o) => create(body, o));
  return runner;
}

/** A function tool whose `parse` result is what `function` takes (openai-node's helper class). */
class ParsingToolFunction {
  constructor(input) {
    this.type = 'function';
    this.function = input;
  }
}

module.exports = {
  runTools,
  AbstractChatCompletionRunner,
  ChatCompletionRunner,
  ChatCompletionStreamingRunner,
  ParsingToolFunction,
  isRunnableFunctionWithParse,
};
