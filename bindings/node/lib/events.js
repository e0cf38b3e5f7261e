'use strict';
// What openai-node's stream helper and tool runners share (its `EventStream`), one base class
// for `ChatCompletionStream` and the runners: the listeners (`on`, `off`, `once`, `emitted`),
// the run's end (`done()`, `ended` / `errored` / `aborted`, the connect and end promises) and
// the rule that an error no listener hears and no promise awaits is an unhandled rejection.
// A subclass runs the work and reports it with `_connected()`, `_finish()` and `_fail(error)`.

const { APIUserAbortError } = require('./errors');

class EventStream {
  #listeners = Object.create(null);
  /** Someone awaits the run (`done()`, a final-value method, iteration, `emitted`). */
  #catching = false;
  #ended = false;
  #error = null;
  #aborted = false;
  #resolveConnected;
  #rejectConnected;
  #end;
  #resolveEnd;
  #rejectEnd;

  constructor() {
    const connected = new Promise((res, rej) => {
      this.#resolveConnected = res;
      this.#rejectConnected = rej;
    });
    this.#end = new Promise((res, rej) => {
      this.#resolveEnd = res;
      this.#rejectEnd = rej;
    });
    connected.catch(() => {});
    this.#end.catch(() => {});
  }

  get ended() {
    return this.#ended;
  }
  get errored() {
    return this.#error !== null;
  }
  get aborted() {
    return this.#aborted;
  }

  /** @internal The error the run ended with, or null. */
  get _error() {
    return this.#error;
  }

  /** @internal A listener is registered for `event`. */
  _listening(event) {
    const listeners = this.#listeners[event];
    return listeners !== undefined && listeners.length > 0;
  }

  /** @internal The run's error will be seen by whoever awaits it. */
  _catching() {
    this.#catching = true;
  }

  /** @internal The request was answered: `connect`. */
  _connected() {
    this.#resolveConnected();
    this._emit('connect');
  }

  /** @internal The run ended well: `end`. */
  _finish() {
    this.#ended = true;
    this.#resolveEnd();
    this._onEnd();
    this._emit('end');
  }

  /** @internal The run ended with `error` (`abort` for an APIUserAbortError), then `end`; once. */
  _fail(error) {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (error instanceof APIUserAbortError) this.#aborted = true;
    const event = error instanceof APIUserAbortError ? 'abort' : 'error';
    // As openai-node's EventStream: an error nobody listens for or awaits is an unhandled rejection.
    if (!this.#catching && !this._listening(event)) Promise.reject(error);
    this.#rejectConnected(error);
    this.#rejectEnd(error);
    this._onEnd();
    this._emit(event, error);
    this._emit('end');
  }

  /** @internal Called as the run ends, before its `end` (and `error`) listeners. */
  _onEnd() {}

  /** @internal */
  _emit(event, ...args) {
    const listeners = this.#listeners[event];
    if (listeners === undefined || listeners.length === 0) return;
    this.#listeners[event] = listeners.filter((l) => !l.once);
    for (const { listener } of listeners) listener.apply(this, args);
  }

  on(event, listener) {
    (this.#listeners[event] ??= []).push({ listener });
    return this;
  }
  off(event, listener) {
    const listeners = this.#listeners[event];
    if (listeners) {
      const i = listeners.findIndex((l) => l.listener === listener);
      if (i >= 0) listeners.splice(i, 1);
    }
    return this;
  }
  once(event, listener) {
    (this.#listeners[event] ??= []).push({ listener, once: true });
    return this;
  }
  /** A promise for the arguments of the next `event` (the first one when there are several). */
  emitted(event) {
    return new Promise((resolve, reject) => {
      this._catching();
      if (event !== 'error') this.once('error', reject);
      this.once(event, (...args) => resolve(args.length > 1 ? args : args[0]));
    });
  }

  /** Cancels the request in flight and ends the run (`abort` event, `APIUserAbortError`). */
  abort() {
    this.controller.abort();
  }

  /** Resolves when the run ended; rejects with its error. */
  async done() {
    this._catching();
    await this.#end;
  }
}

module.exports = { EventStream };
